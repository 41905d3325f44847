"""Typed models of the AgentGate API, generated from ``docs/openapi.json``. Do not edit by hand.

Regenerate with ``python sdk/tools/generate_models.py docs/openapi.json sdk/src/agentgate_client/models.py``;
a test fails when this file and the contract disagree. Money is ``Decimal`` (the API sends decimal
strings), times are timezone-aware ``datetime``.
"""

# ruff: noqa: E501

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ApiModel(BaseModel):
    """Base of every API model: unknown fields from a newer server are kept, not refused.

    Validators are built on a model's first use, not at import (the CLI starts faster).
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, protected_namespaces=(), defer_build=True)


Role = Literal["viewer", "member", "team_lead", "admin", "owner"]


class Agent(ApiModel):
    """Agent"""

    id: str
    name: str
    description: str
    type: str
    provider: str | None = Field(default=None)
    environment: str
    tags: list[str]
    team: str | None = Field(default=None)
    status: Literal["active", "paused"]
    scopes: list[str]
    audiences: list[str] = Field(default_factory=list)
    skills: list[Skill] = Field(default_factory=list)
    interfaces: list[Interface] = Field(default_factory=list)
    version: str = "1.0.0"
    published: bool = False
    published_at: dt.datetime | None = Field(default=None)
    created_at: dt.datetime
    updated_at: dt.datetime | None = Field(default=None)
    paused_reason: str | None = Field(default=None)


class AgentCard(ApiModel):
    """An A2A AgentCard (A2A 1.x JSON); validated against the a2a-sdk types in the tests."""

    name: str
    description: str
    version: str
    supportedInterfaces: list[dict[str, Any]]
    capabilities: dict[str, Any]
    securitySchemes: dict[str, Any]
    securityRequirements: list[dict[str, Any]]
    defaultInputModes: list[str]
    defaultOutputModes: list[str]
    skills: list[dict[str, Any]]


class AgentCompliance(ApiModel):
    """AgentCompliance"""

    id: str
    name: str
    published: bool
    card_valid: bool
    card_problems: list[str]
    did_resolvable: bool
    credentials_rotated_within_days: int | None
    credentials_within_policy: bool
    scopes: list[str]
    scope_flags: list[str]
    least_privilege: bool


class AgentCost(ApiModel):
    """AgentCost"""

    agent_id: str
    cost_usd: Decimal
    runs: int


class AgentCreate(ApiModel):
    """AgentCreate"""

    name: str
    description: str = ""
    type: str = "autonomous"
    provider: str | None = Field(default=None)
    environment: str = "production"
    tags: list[str] = Field(default_factory=list)
    team: str | None = Field(default=None)
    scopes: list[str] = Field(default_factory=list)
    audiences: list[str] = Field(default_factory=list)
    skills: list[Skill] = Field(default_factory=list)
    interfaces: list[Interface] = Field(default_factory=list)
    version: str = "1.0.0"


class AgentDashboard(ApiModel):
    """AgentDashboard"""

    agent_id: str
    name: str
    status: str
    team: str | None
    kpis: RunKpis
    by_day: list[CostDay]
    recent_runs: list[Run]


class AgentPage(ApiModel):
    """AgentPage"""

    items: list[Agent]
    next_cursor: str | None = Field(default=None)


class AgentUpdate(ApiModel):
    """AgentUpdate"""

    name: str | None = Field(default=None)
    description: str | None = Field(default=None)
    type: str | None = Field(default=None)
    provider: str | None = Field(default=None)
    environment: str | None = Field(default=None)
    tags: list[str] | None = Field(default=None)
    team: str | None = Field(default=None)
    scopes: list[str] | None = Field(default=None)
    audiences: list[str] | None = Field(default=None)
    skills: list[Skill] | None = Field(default=None)
    interfaces: list[Interface] | None = Field(default=None)
    version: str | None = Field(default=None)


class ApiKey(ApiModel):
    """ApiKey"""

    id: str
    name: str
    scopes: list[str]
    prefix: str
    status: str
    created_at: dt.datetime
    created_by: str
    last_used_at: dt.datetime | None = Field(default=None)
    revoked_at: dt.datetime | None = Field(default=None)


class ApiKeyCreate(ApiModel):
    """ApiKeyCreate"""

    name: str
    scopes: list[Literal["admin", "agents:read", "agents:write", "agents:control", "runs:read", "ingest", "costs:read"]]


class ApiKeyPage(ApiModel):
    """ApiKeyPage"""

    items: list[ApiKey]
    next_cursor: str | None = Field(default=None)


class Approval(ApiModel):
    """Approval"""

    id: str
    status: Literal["pending", "approved", "rejected", "expired"]
    stage: Literal["initial", "escalated"]
    requested_by: str
    action: str
    resource: str | None = Field(default=None)
    context: dict[str, Any] | None = Field(default=None)
    estimated_cost_usd: Decimal | None = Field(default=None)
    policy_ids: list[str]
    approvers: list[str]
    escalation_approvers: list[str]
    timeout_seconds: int
    four_eyes: bool = False
    created_at: dt.datetime
    escalated_at: dt.datetime | None = Field(default=None)
    decided_by: str | None = Field(default=None)
    decided_at: dt.datetime | None = Field(default=None)
    comment: str | None = Field(default=None)


class ApprovalDecisionRequest(ApiModel):
    """ApprovalDecisionRequest"""

    comment: str | None = Field(default=None)


class ApprovalPage(ApiModel):
    """ApprovalPage"""

    items: list[Approval]
    next_cursor: str | None = Field(default=None)


class AuditChainStatus(ApiModel):
    """AuditChainStatus"""

    valid: bool
    entries_checked: int
    head_hash: str | None = Field(default=None)
    first_bad_entry: int | None = Field(default=None)


class AuditEntry(ApiModel):
    """AuditEntry"""

    seq: int
    at: dt.datetime
    actor: str
    action: str
    target: str
    details: dict[str, Any]
    prev_hash: str
    hash: str


class AuditEntryPage(ApiModel):
    """AuditEntryPage"""

    items: list[AuditEntry]
    next_cursor: str | None = Field(default=None)


class AuditHeadSignature(ApiModel):
    """AuditHeadSignature"""

    signed_seq: int | None
    signed_hash: str | None
    signed_at: dt.datetime | None
    signing_key_id: str | None


class AuditVerification(ApiModel):
    """AuditVerification"""

    valid: bool
    entries_checked: int
    head_hash: str | None
    first_bad_entry: int | None = Field(default=None)
    signed_seq: int | None = Field(default=None)
    reason: str | None = Field(default=None)


class AuthorizationServerMetadata(ApiModel):
    """RFC 8414 metadata, also served as the OpenID Connect discovery document."""

    issuer: str
    token_endpoint: str
    jwks_uri: str
    introspection_endpoint: str
    revocation_endpoint: str
    grant_types_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    introspection_endpoint_auth_methods_supported: list[str]
    revocation_endpoint_auth_methods_supported: list[str]
    response_types_supported: list[str]
    subject_types_supported: list[str]
    id_token_signing_alg_values_supported: list[str]
    claims_supported: list[str]
    service_documentation: str


class AuthorizeDecision(ApiModel):
    """AuthorizeDecision"""

    decision: Literal["allow", "deny", "pending"]
    approval_id: str | None = Field(default=None)
    authorization_id: str | None = Field(default=None)
    reasons: list[Reason]


class AuthorizeRequest(ApiModel):
    """AuthorizeRequest"""

    action: str
    resource: str | None = Field(default=None)
    context: dict[str, Any] | None = Field(default=None)
    estimated_cost_usd: Decimal | None = Field(default=None)


class BatchRatesOut(ApiModel):
    """BatchRatesOut"""

    input_per_million: Decimal | None = Field(default=None)
    output_per_million: Decimal | None = Field(default=None)
    cache_read_per_million: Decimal | None = Field(default=None)
    cache_write_per_million: Decimal | None = Field(default=None)


class BatchRunResult(ApiModel):
    """BatchRunResult"""

    run_id: str | None
    status: int
    error: dict[str, Any] | None = Field(default=None)


class Budget(ApiModel):
    """Budget"""

    id: str
    name: str | None
    scope: Literal["org", "team", "agent"]
    scope_id: str | None
    max_amount_usd: Decimal
    period: Literal["daily", "weekly", "monthly"]
    threshold_alert_percent: int
    auto_pause_at_percent: int | None
    current_spend_usd: Decimal
    reserved_usd: Decimal = "0"
    period_start: dt.datetime
    period_end: dt.datetime
    alert_sent: bool
    auto_paused: bool
    created_at: dt.datetime


class BudgetCreate(ApiModel):
    """BudgetCreate"""

    name: str | None = Field(default=None)
    scope: Literal["org", "team", "agent"]
    scope_id: str | None = Field(default=None)
    max_amount_usd: Decimal
    period: Literal["daily", "weekly", "monthly"]
    threshold_alert_percent: int = 80
    auto_pause_at_percent: int | None = Field(default=None)


class BudgetPage(ApiModel):
    """BudgetPage"""

    items: list[Budget]
    next_cursor: str | None = Field(default=None)


class BudgetUpdate(ApiModel):
    """Scope and period are fixed at creation (a budget's history is per period); the rest may change."""

    name: str | None = Field(default=None)
    max_amount_usd: Decimal | None
    threshold_alert_percent: int | None = Field(default=None)
    auto_pause_at_percent: int | None = Field(default=None)


class CheckoutRequest(ApiModel):
    """CheckoutRequest"""

    tier: Literal["pro", "enterprise"]


class CheckoutSession(ApiModel):
    """CheckoutSession"""

    url: str
    session_id: str


class ComplianceReport(ApiModel):
    """ComplianceReport"""

    schema_version: str = "agentgate.compliance/1.0"
    generated_at: dt.datetime
    tenant_id: str
    credential_rotation_policy_days: int
    agents: list[AgentCompliance]
    audit_chain: AuditChainStatus
    controls: list[Control]


class Control(ApiModel):
    """Control"""

    id: str
    title: str
    status: Literal["pass", "fail", "not_applicable"]
    evidence: list[str]


class CostDay(ApiModel):
    """CostDay"""

    date: dt.date
    cost_usd: Decimal
    runs: int
    unpriced_runs: int = 0


class CostReport(ApiModel):
    """CostReport"""

    scope: Literal["org", "agent", "team"]
    scope_id: str | None
    period_start: dt.date
    period_end: dt.date
    total_cost_usd: Decimal
    runs: int
    unpriced_runs: int
    by_day: list[CostDay]


class Count(ApiModel):
    """Count"""

    used: int


class CreateCredential(ApiModel):
    """Creates the agent's credential, or rotates it when one is active."""

    grace_period_seconds: int = 86400
    expires_in_days: int = 365


class CreatedApiKey(ApiModel):
    """CreatedApiKey"""

    id: str
    name: str
    scopes: list[str]
    prefix: str
    status: str
    created_at: dt.datetime
    created_by: str
    last_used_at: dt.datetime | None = Field(default=None)
    revoked_at: dt.datetime | None = Field(default=None)
    key: str


class Credential(ApiModel):
    """Credential"""

    credential_id: str
    client_id: str
    agent_id: str
    status: Literal["active", "revoked", "expired"]
    created_at: dt.datetime
    expires_at: dt.datetime
    rotated_at: dt.datetime | None = Field(default=None)
    revoked_at: dt.datetime | None = Field(default=None)
    previous_secret_valid_until: dt.datetime | None = Field(default=None)


class CredentialPage(ApiModel):
    """CredentialPage"""

    items: list[Credential]
    next_cursor: str | None = Field(default=None)


class DashboardHome(ApiModel):
    """DashboardHome"""

    kpis: RunKpis
    top_agents: list[AgentCost]
    by_day: list[CostDay]


class DeliveryAttempt(ApiModel):
    """DeliveryAttempt"""

    attempt: int
    at: dt.datetime
    status_code: int | None = Field(default=None)
    error: str | None = Field(default=None)
    duration_ms: int
    next_retry_in_seconds: int | None = Field(default=None)


class DependencyHealth(ApiModel):
    """DependencyHealth"""

    status: Literal["healthy", "degraded", "unreachable"]
    latency_ms: float
    error: str | None = Field(default=None)


class DetailedHealth(ApiModel):
    """DetailedHealth"""

    status: Literal["healthy", "degraded", "unreachable"]
    dependencies: dict[str, Any]


class DidDocument(ApiModel):
    """A W3C DID document (did:web) of a published agent."""

    id: str
    verificationMethod: list[dict[str, Any]]
    assertionMethod: list[str]
    authentication: list[str]
    service: list[dict[str, Any]]


class EmergencyPauseRequest(ApiModel):
    """EmergencyPauseRequest"""

    team: str | None = Field(default=None)
    tag: str | None = Field(default=None)
    reason: str = "emergency pause"


class EmergencyResumeRequest(ApiModel):
    """EmergencyResumeRequest"""

    team: str | None = Field(default=None)
    tag: str | None = Field(default=None)
    reason: str = "emergency resume"


class EmergencyState(ApiModel):
    """EmergencyState"""

    tenant_id: str
    status: Literal["active", "paused"]
    scope: Literal["tenant", "team", "tag"]
    scope_id: str | None = Field(default=None)
    paused_agent_ids: list[str] = Field(default_factory=list)
    resumed_agent_ids: list[str] = Field(default_factory=list)
    changed_at: dt.datetime


class Error(ApiModel):
    """Error"""

    error: dict[str, Any]


class GovernanceSettings(ApiModel):
    """GovernanceSettings"""

    default_decision: Literal["allow", "deny"]
    four_eyes: bool = False
    reservation_ttl_seconds: int = 3600
    updated_at: dt.datetime | None = Field(default=None)


class GovernanceSettingsUpdate(ApiModel):
    """The settings to change; the others keep their value."""

    default_decision: Literal["allow", "deny"] | None = Field(default=None)
    four_eyes: bool | None = Field(default=None)
    reservation_ttl_seconds: int | None = Field(default=None)


class Health(ApiModel):
    """Health"""

    status: Literal["ok"]
    service: str
    version: str


class Heatmap(ApiModel):
    """Heatmap"""

    days: int
    agents: list[HeatmapRow]


class HeatmapRow(ApiModel):
    """HeatmapRow"""

    agent_id: str
    hours: list[int]
    total: int


class IngestAccepted(ApiModel):
    """IngestAccepted"""

    run_id: str
    status: Literal["accepted"] = "accepted"


class IngestBatch(ApiModel):
    """Each run is validated on its own so that one bad run does not refuse the others."""

    runs: list[dict[str, Any]]


class IngestBatchResult(ApiModel):
    """IngestBatchResult"""

    results: list[BatchRunResult]
    accepted: int
    rejected: int


class Interface(ApiModel):
    """Where the agent itself is reached (A2A ``supportedInterfaces``)."""

    url: str
    protocol_binding: Literal["JSONRPC", "GRPC", "HTTP+JSON"] = "JSONRPC"
    protocol_version: str = "1.0"


class Introspection(ApiModel):
    """Introspection"""

    pass


class IntrospectionRequest(ApiModel):
    """IntrospectionRequest"""

    token: str
    token_type_hint: str | None = Field(default=None)
    client_id: str | None = Field(default=None)
    client_secret: str | None = Field(default=None)


class IssuedCredential(ApiModel):
    """IssuedCredential"""

    credential_id: str
    client_id: str
    client_secret: str
    expires_at: dt.datetime
    rotated: bool = False
    previous_secret_valid_until: dt.datetime | None = Field(default=None)


class Jwk(ApiModel):
    """Jwk"""

    kty: Literal["EC"]
    crv: Literal["P-256"]
    x: str
    y: str
    kid: str
    alg: Literal["ES256"]
    use: Literal["sig"]


class JwkSet(ApiModel):
    """JwkSet"""

    keys: list[Jwk]


class LoginRequest(ApiModel):
    """LoginRequest"""

    email: str
    password: str
    new_password: str | None = Field(default=None)


class LoginResult(ApiModel):
    """LoginResult"""

    tokens: Tokens


class MarketplaceAgent(ApiModel):
    """A published agent's public face: its card's content and where its card and DID are."""

    tenant_id: str
    agent_id: str
    organization: str
    name: str
    description: str
    version: str
    tags: list[str]
    skills: list[Skill]
    card_url: str
    did: str
    did_document_url: str
    published_at: dt.datetime


class MarketplacePage(ApiModel):
    """MarketplacePage"""

    items: list[MarketplaceAgent]
    next_cursor: str | None = Field(default=None)


class Member(ApiModel):
    """Member"""

    id: str
    email: str
    role: Role
    team: str | None = Field(default=None)
    created_at: dt.datetime


class MemberInvite(ApiModel):
    """MemberInvite"""

    email: str
    role: Role = "member"
    team: str | None = Field(default=None)


class MemberPage(ApiModel):
    """MemberPage"""

    items: list[Member]
    next_cursor: str | None = Field(default=None)


class MemberUpdate(ApiModel):
    """MemberUpdate"""

    role: Role | None = Field(default=None)
    team: str | None = Field(default=None)


class Meter(ApiModel):
    """Meter"""

    used: int
    limit: int


class OAuthError(ApiModel):
    """OAuthError"""

    error: str
    error_description: str | None = Field(default=None)


class OrgProfile(ApiModel):
    """OrgProfile"""

    tenant_id: str
    name: str
    tier: str
    status: str
    created_at: dt.datetime
    updated_at: dt.datetime | None = Field(default=None)


class OrgProfileUpdate(ApiModel):
    """OrgProfileUpdate"""

    name: str


class PauseRequest(ApiModel):
    """PauseRequest"""

    reason: str = "paused by a person"


class Policy(ApiModel):
    """Policy"""

    id: str
    name: str
    description: str
    scope: PolicyScopeOut
    conditions: dict[str, Any] | None
    action: Literal["allow", "deny", "require_approval"]
    approvers: list[str]
    escalation_approvers: list[str]
    approval_timeout_seconds: int | None
    status: Literal["active", "disabled"]
    four_eyes: bool | None = Field(default=None)
    created_at: dt.datetime
    updated_at: dt.datetime | None = Field(default=None)


class PolicyCreate(ApiModel):
    """PolicyCreate"""

    name: str
    description: str = ""
    scope: PolicyScope | None = Field(default=None)
    conditions: dict[str, Any] | None = Field(default=None)
    action: Literal["allow", "deny", "require_approval"]
    approvers: list[str] = Field(default_factory=list)
    escalation_approvers: list[str] = Field(default_factory=list)
    approval_timeout_seconds: int | None = Field(default=None)
    status: Literal["active", "disabled"] = "active"
    four_eyes: bool | None = Field(default=None)


class PolicyDecision(ApiModel):
    """PolicyDecision"""

    action: str
    decision: Literal["allow", "deny", "pending"]
    approval_id: str | None = Field(default=None)


class PolicyEvaluateRequest(ApiModel):
    """A dry run of ``/authorize`` for one agent of the tenant, optionally with a draft policy.

``policy`` is evaluated as if it were saved: beside the stored policies, or in place of the
stored policy ``policy_id`` (an edit being tested). ``policy_id`` alone reports whether that
stored policy applies. ``at`` sets the clock the ``time.*`` fields read (default: now)."""

    action: str
    resource: str | None = Field(default=None)
    context: dict[str, Any] | None = Field(default=None)
    estimated_cost_usd: Decimal | None = Field(default=None)
    agent_id: str
    at: dt.datetime | None = Field(default=None)
    policy: PolicyCreate | None = Field(default=None)
    policy_id: str | None = Field(default=None)


class PolicyEvaluation(ApiModel):
    """What ``/authorize`` would answer now, with nothing written, reserved or started."""

    decision: Literal["allow", "deny", "pending"]
    reasons: list[Reason]
    matched_policy_ids: list[str]
    default_decision: Literal["allow", "deny"]
    evaluated_at: dt.datetime
    budget_remaining_usd: Decimal | None = Field(default=None)
    tested_policy: TestedPolicy | None = Field(default=None)


class PolicyPage(ApiModel):
    """PolicyPage"""

    items: list[Policy]
    next_cursor: str | None = Field(default=None)


class PolicyScope(ApiModel):
    """No agents and no teams: the policy applies to every agent of the tenant."""

    agents: list[str] = Field(default_factory=list)
    teams: list[str] = Field(default_factory=list)


class PolicyScopeOut(ApiModel):
    """PolicyScopeOut"""

    agents: list[str]
    teams: list[str]


class PolicyUpdate(ApiModel):
    """The fields to change; the merged policy is checked as a whole."""

    name: str | None = Field(default=None)
    description: str | None = Field(default=None)
    scope: PolicyScope | None = Field(default=None)
    conditions: dict[str, Any] | None = Field(default=None)
    action: Literal["allow", "deny", "require_approval"] | None = Field(default=None)
    approvers: list[str] | None = Field(default=None)
    escalation_approvers: list[str] | None = Field(default=None)
    approval_timeout_seconds: int | None = Field(default=None)
    status: Literal["active", "disabled"] | None = Field(default=None)
    four_eyes: bool | None = Field(default=None)


class PortalSession(ApiModel):
    """PortalSession"""

    url: str


class Price(ApiModel):
    """Price"""

    provider: str
    model_pattern: str
    input_per_million: Decimal
    output_per_million: Decimal
    cache_read_per_million: Decimal
    cache_write_per_million: Decimal
    cache_write_1h_per_million: Decimal
    tiers: list[PriceTierOut] = Field(default_factory=list)
    batch: BatchRatesOut | None = Field(default=None)
    effective_from: dt.date
    effective_to: dt.date | None = Field(default=None)
    version: str
    source: str


class PriceOverride(ApiModel):
    """PriceOverride"""

    provider: str
    model_pattern: str
    effective_from: dt.date
    input_per_million: Decimal
    output_per_million: Decimal
    cache_read_per_million: Decimal
    cache_write_per_million: Decimal
    label: str
    price_version: str


class PriceOverrideIn(ApiModel):
    """A tenant's price for a provider's models matching ``model_pattern`` (a glob), from a date."""

    provider: Literal["openai", "anthropic", "google", "mistral", "bedrock"]
    model_pattern: str
    effective_from: dt.date
    input_per_million: Decimal
    output_per_million: Decimal
    cache_read_per_million: Decimal
    cache_write_per_million: Decimal
    label: str


class PriceOverrideList(ApiModel):
    """PriceOverrideList"""

    items: list[PriceOverride]


class PricePage(ApiModel):
    """PricePage"""

    items: list[Price]
    next_cursor: str | None = Field(default=None)
    version: str


class PriceTierOut(ApiModel):
    """PriceTierOut"""

    above_tokens: int
    input_per_million: Decimal | None = Field(default=None)
    output_per_million: Decimal | None = Field(default=None)
    cache_read_per_million: Decimal | None = Field(default=None)
    cache_write_per_million: Decimal | None = Field(default=None)
    cache_write_1h_per_million: Decimal | None = Field(default=None)


class QuotaDay(ApiModel):
    """QuotaDay"""

    date: dt.date
    api_calls: int
    api_errors: int
    quota: int
    percent_of_quota: float


class QuotaMeter(ApiModel):
    """QuotaMeter"""

    used: int
    quota: int


class QuotaUsage(ApiModel):
    """QuotaUsage"""

    tier: str
    daily_quota: int
    today: QuotaDay
    by_day: list[QuotaDay]


class Reason(ApiModel):
    """Why: a policy (its id, name and effect), the agent's budget, or the tenant default."""

    kind: Literal["policy", "budget", "default"]
    message: str
    code: str | None = Field(default=None)
    policy_id: str | None = Field(default=None)
    policy_name: str | None = Field(default=None)
    effect: Literal["allow", "deny", "require_approval"] | None = Field(default=None)
    remaining_budget_usd: Decimal | None = Field(default=None)


class RefreshRequest(ApiModel):
    """RefreshRequest"""

    refresh_token: str


class Revocation(ApiModel):
    """RFC 7009 §2.2: the body is empty; clients ignore it."""

    pass


class RevocationRequest(ApiModel):
    """RevocationRequest"""

    token: str
    token_type_hint: str | None = Field(default=None)
    client_id: str | None = Field(default=None)
    client_secret: str | None = Field(default=None)


class Run(ApiModel):
    """Run"""

    id: str
    run_id: str
    agent_id: str
    team: str | None
    status: str
    start_time: dt.datetime
    end_time: dt.datetime | None
    latency_ms: int | None
    model: str | None
    provider: str | None
    token_usage: TokenUsageOut
    cost_usd: Decimal | None
    unpriced: bool
    price_version: str | None
    cost_breakdown: dict[str, Any] | None = Field(default=None)
    input: Any | None = Field(default=None)
    output: Any | None = Field(default=None)
    external_reference: str | None
    policy_decisions: list[dict[str, Any]]
    event_count: int
    received_at: dt.datetime


class RunEvent(ApiModel):
    """RunEvent"""

    event_id: str
    seq: int
    type: str
    timestamp: dt.datetime
    payload: Any | None = Field(default=None)


class RunEventIn(ApiModel):
    """RunEventIn"""

    event_id: str
    type: str
    timestamp: dt.datetime
    payload: Any | None = Field(default=None)


class RunEventPage(ApiModel):
    """RunEventPage"""

    run_id: str
    items: list[RunEvent]
    next_cursor: str | None = Field(default=None)


class RunIn(ApiModel):
    """RunIn"""

    run_id: str
    agent_id: str | None = Field(default=None)
    status: Literal["running", "success", "error", "timeout", "cancelled"]
    start_time: dt.datetime
    end_time: dt.datetime | None = Field(default=None)
    input: Any | None = Field(default=None)
    output: Any | None = Field(default=None)
    model: str | None = Field(default=None)
    provider: str | None = Field(default=None)
    token_usage: TokenUsage | None = Field(default=None)
    batch: bool = False
    events: list[RunEventIn] = Field(default_factory=list)
    external_reference: str | None = Field(default=None)
    authorization_id: str | None = Field(default=None)
    team: str | None = Field(default=None)
    policy_decisions: list[PolicyDecision] = Field(default_factory=list)


class RunKpis(ApiModel):
    """Runs, error rate and latency over the last 7 days; cost today, over 7 and 30 days."""

    runs_today: int
    runs_7d: int
    errors_7d: int
    error_rate_7d: float
    latency_p50_ms: int | None
    latency_p95_ms: int | None
    cost_today_usd: Decimal
    cost_7d_usd: Decimal
    cost_30d_usd: Decimal
    unpriced_runs_30d: int


class RunPage(ApiModel):
    """RunPage"""

    items: list[Run]
    next_cursor: str | None = Field(default=None)


class SignupRequest(ApiModel):
    """SignupRequest"""

    org_name: str
    email: str
    password: str


class SignupResult(ApiModel):
    """SignupResult"""

    tenant_id: str
    user_id: str
    tokens: Tokens


class Skill(ApiModel):
    """One thing the agent does, as its A2A card lists it."""

    id: str
    name: str
    description: str
    tags: list[str] = Field(default_factory=list)


class Subscription(ApiModel):
    """Subscription"""

    tier: str
    status: Literal["none", "active", "past_due", "canceled"]
    current_period_end: dt.datetime | None = Field(default=None)
    cancel_at_period_end: bool = False
    stripe_customer_id: str | None = Field(default=None)
    stripe_subscription_id: str | None = Field(default=None)


class TestedPolicy(ApiModel):
    """The policy under test: whether its scope covers the agent and its conditions hold."""

    policy_id: str | None
    name: str
    action: Literal["allow", "deny", "require_approval"]
    active: bool
    in_scope: bool
    conditions_match: bool
    applies: bool
    decides: bool


class Tier(ApiModel):
    """Tier"""

    name: str
    agent_limit: int
    rate_per_second: float
    burst: int
    daily_quota: int
    retention_days: int
    price_usd_month: str


class TierList(ApiModel):
    """TierList"""

    items: list[Tier]


class TierUsage(ApiModel):
    """What the tenant really used today (UTC): API calls against the tier's quota, tokens, runs, agents."""

    tier: str
    period: UsagePeriod
    api_calls: QuotaMeter
    token_issuances: Count
    runs: Count
    agents: Meter
    retention_days: int


class TokenDay(ApiModel):
    """TokenDay"""

    date: dt.date
    tokens_issued: int


class TokenRequest(ApiModel):
    """TokenRequest"""

    grant_type: str
    scope: str | None = Field(default=None)
    audience: str | None = Field(default=None)
    resource: str | None = Field(default=None)
    client_id: str | None = Field(default=None)
    client_secret: str | None = Field(default=None)
    subject_token: str | None = Field(default=None)
    subject_token_type: str | None = Field(default=None)
    actor_token: str | None = Field(default=None)
    actor_token_type: str | None = Field(default=None)
    requested_token_type: str | None = Field(default=None)


class TokenResponse(ApiModel):
    """TokenResponse"""

    pass


class TokenTrend(ApiModel):
    """TokenTrend"""

    days: int
    total: int
    by_day: list[TokenDay]


class TokenUsage(ApiModel):
    """Disjoint counts: ``input`` excludes the cache-read and cache-write tokens."""

    input: int = 0
    output: int = 0
    cache_read: int = 0
    cache_write: int = 0
    cache_write_1h: int = 0


class TokenUsageOut(ApiModel):
    """Disjoint counts: fresh input, output, cache reads, 5-minute and 1-hour cache writes."""

    input: int
    output: int
    cache_read: int
    cache_write: int
    cache_write_1h: int = 0


class Tokens(ApiModel):
    """Tokens"""

    id_token: str
    access_token: str
    refresh_token: str | None = Field(default=None)
    expires_in: int
    token_type: Literal["Bearer"] = "Bearer"


class TrustPolicy(ApiModel):
    """TrustPolicy"""

    id: str
    name: str
    issuer: str
    audience: str
    claims: dict[str, Any]
    agent_id: str
    scopes: list[str]
    max_token_ttl_seconds: int | None = Field(default=None)
    created_at: dt.datetime
    created_by: str


class TrustPolicyCreate(ApiModel):
    """TrustPolicyCreate"""

    name: str
    issuer: str
    audience: str
    claims: dict[str, Any]
    agent_id: str
    scopes: list[str]
    max_token_ttl_seconds: int | None = Field(default=None)


class TrustPolicyPage(ApiModel):
    """TrustPolicyPage"""

    items: list[TrustPolicy]
    next_cursor: str | None = Field(default=None)


class UsagePeriod(ApiModel):
    """UsagePeriod"""

    start: dt.datetime
    end: dt.datetime


class Webhook(ApiModel):
    """Webhook"""

    id: str
    url: str
    events: list[str]
    description: str
    status: str
    created_at: dt.datetime


class WebhookCreate(ApiModel):
    """WebhookCreate"""

    url: str
    events: list[Literal["agent.paused", "agent.resumed", "budget.threshold_crossed", "approval.requested", "approval.escalated", "approval.decided", "emergency.paused", "emergency.resumed", "webhook.test", "tenant.tier_changed"]]
    description: str = ""


class WebhookCreated(ApiModel):
    """WebhookCreated"""

    id: str
    url: str
    events: list[str]
    description: str
    status: str
    created_at: dt.datetime
    secret: str


class WebhookDelivery(ApiModel):
    """WebhookDelivery"""

    id: str
    webhook_id: str
    event_id: str
    event_type: str
    status: Literal["pending", "retrying", "delivered", "failed"]
    attempts: list[DeliveryAttempt]
    created_at: dt.datetime
    delivered_at: dt.datetime | None = Field(default=None)


class WebhookDeliveryPage(ApiModel):
    """WebhookDeliveryPage"""

    items: list[WebhookDelivery]
    next_cursor: str | None = Field(default=None)


class WebhookPage(ApiModel):
    """WebhookPage"""

    items: list[Webhook]
    next_cursor: str | None = Field(default=None)


class WebhookReceipt(ApiModel):
    """WebhookReceipt"""

    received: bool = True
    duplicate: bool = False
    ignored: bool = False


MODELS: dict[str, type[ApiModel]] = {
    "Agent": Agent,
    "AgentCard": AgentCard,
    "AgentCompliance": AgentCompliance,
    "AgentCost": AgentCost,
    "AgentCreate": AgentCreate,
    "AgentDashboard": AgentDashboard,
    "AgentPage": AgentPage,
    "AgentUpdate": AgentUpdate,
    "ApiKey": ApiKey,
    "ApiKeyCreate": ApiKeyCreate,
    "ApiKeyPage": ApiKeyPage,
    "Approval": Approval,
    "ApprovalDecisionRequest": ApprovalDecisionRequest,
    "ApprovalPage": ApprovalPage,
    "AuditChainStatus": AuditChainStatus,
    "AuditEntry": AuditEntry,
    "AuditEntryPage": AuditEntryPage,
    "AuditHeadSignature": AuditHeadSignature,
    "AuditVerification": AuditVerification,
    "AuthorizationServerMetadata": AuthorizationServerMetadata,
    "AuthorizeDecision": AuthorizeDecision,
    "AuthorizeRequest": AuthorizeRequest,
    "BatchRatesOut": BatchRatesOut,
    "BatchRunResult": BatchRunResult,
    "Budget": Budget,
    "BudgetCreate": BudgetCreate,
    "BudgetPage": BudgetPage,
    "BudgetUpdate": BudgetUpdate,
    "CheckoutRequest": CheckoutRequest,
    "CheckoutSession": CheckoutSession,
    "ComplianceReport": ComplianceReport,
    "Control": Control,
    "CostDay": CostDay,
    "CostReport": CostReport,
    "Count": Count,
    "CreateCredential": CreateCredential,
    "CreatedApiKey": CreatedApiKey,
    "Credential": Credential,
    "CredentialPage": CredentialPage,
    "DashboardHome": DashboardHome,
    "DeliveryAttempt": DeliveryAttempt,
    "DependencyHealth": DependencyHealth,
    "DetailedHealth": DetailedHealth,
    "DidDocument": DidDocument,
    "EmergencyPauseRequest": EmergencyPauseRequest,
    "EmergencyResumeRequest": EmergencyResumeRequest,
    "EmergencyState": EmergencyState,
    "Error": Error,
    "GovernanceSettings": GovernanceSettings,
    "GovernanceSettingsUpdate": GovernanceSettingsUpdate,
    "Health": Health,
    "Heatmap": Heatmap,
    "HeatmapRow": HeatmapRow,
    "IngestAccepted": IngestAccepted,
    "IngestBatch": IngestBatch,
    "IngestBatchResult": IngestBatchResult,
    "Interface": Interface,
    "Introspection": Introspection,
    "IntrospectionRequest": IntrospectionRequest,
    "IssuedCredential": IssuedCredential,
    "Jwk": Jwk,
    "JwkSet": JwkSet,
    "LoginRequest": LoginRequest,
    "LoginResult": LoginResult,
    "MarketplaceAgent": MarketplaceAgent,
    "MarketplacePage": MarketplacePage,
    "Member": Member,
    "MemberInvite": MemberInvite,
    "MemberPage": MemberPage,
    "MemberUpdate": MemberUpdate,
    "Meter": Meter,
    "OAuthError": OAuthError,
    "OrgProfile": OrgProfile,
    "OrgProfileUpdate": OrgProfileUpdate,
    "PauseRequest": PauseRequest,
    "Policy": Policy,
    "PolicyCreate": PolicyCreate,
    "PolicyDecision": PolicyDecision,
    "PolicyEvaluateRequest": PolicyEvaluateRequest,
    "PolicyEvaluation": PolicyEvaluation,
    "PolicyPage": PolicyPage,
    "PolicyScope": PolicyScope,
    "PolicyScopeOut": PolicyScopeOut,
    "PolicyUpdate": PolicyUpdate,
    "PortalSession": PortalSession,
    "Price": Price,
    "PriceOverride": PriceOverride,
    "PriceOverrideIn": PriceOverrideIn,
    "PriceOverrideList": PriceOverrideList,
    "PricePage": PricePage,
    "PriceTierOut": PriceTierOut,
    "QuotaDay": QuotaDay,
    "QuotaMeter": QuotaMeter,
    "QuotaUsage": QuotaUsage,
    "Reason": Reason,
    "RefreshRequest": RefreshRequest,
    "Revocation": Revocation,
    "RevocationRequest": RevocationRequest,
    "Run": Run,
    "RunEvent": RunEvent,
    "RunEventIn": RunEventIn,
    "RunEventPage": RunEventPage,
    "RunIn": RunIn,
    "RunKpis": RunKpis,
    "RunPage": RunPage,
    "SignupRequest": SignupRequest,
    "SignupResult": SignupResult,
    "Skill": Skill,
    "Subscription": Subscription,
    "TestedPolicy": TestedPolicy,
    "Tier": Tier,
    "TierList": TierList,
    "TierUsage": TierUsage,
    "TokenDay": TokenDay,
    "TokenRequest": TokenRequest,
    "TokenResponse": TokenResponse,
    "TokenTrend": TokenTrend,
    "TokenUsage": TokenUsage,
    "TokenUsageOut": TokenUsageOut,
    "Tokens": Tokens,
    "TrustPolicy": TrustPolicy,
    "TrustPolicyCreate": TrustPolicyCreate,
    "TrustPolicyPage": TrustPolicyPage,
    "UsagePeriod": UsagePeriod,
    "Webhook": Webhook,
    "WebhookCreate": WebhookCreate,
    "WebhookCreated": WebhookCreated,
    "WebhookDelivery": WebhookDelivery,
    "WebhookDeliveryPage": WebhookDeliveryPage,
    "WebhookPage": WebhookPage,
    "WebhookReceipt": WebhookReceipt,
}

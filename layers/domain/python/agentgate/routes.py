"""The table of routes: the single source of truth for the API.

One row per method and path: the handler module under ``functions/``, who may call
it, the minimum role for users or the scopes for API keys and agents, and the AWS
permissions its function needs. CDK builds one Lambda per row, the local gateway
routes with it, the resolver enforces it and the OpenAPI document is generated
from it and the pydantic models it names.

Models are named as ``"module:Class"`` strings under ``agentgate.schemas`` so that
reading this table costs nothing at import time; only the OpenAPI generator loads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from agentgate.platform.tenancy import Caller, Role

PUBLIC = frozenset({Caller.PUBLIC})
USER = frozenset({Caller.USER})
USER_OR_APIKEY = frozenset({Caller.USER, Caller.APIKEY})
AGENT = frozenset({Caller.AGENT})
AGENT_OR_APIKEY = frozenset({Caller.AGENT, Caller.APIKEY})
USER_OR_AGENT = frozenset({Caller.USER, Caller.AGENT})

# Permissions a function may be granted (CDK turns each into IAM statements).
TABLE_READ = "table:read"
TABLE_WRITE = "table:write"
RUNS_STREAM = "stream:runs"
ANALYTICS_STREAM = "stream:analytics"
KMS_SIGN = "kms:sign"
KMS_PUBLIC_KEY = "kms:public-key"
COGNITO = "cognito"
APPROVALS = "states:approvals"
WEBHOOK_QUEUE = "queue:webhooks"
API_KEYS = "apigateway:api-keys"
HEALTH_PROBES = "health:probes"
GRANTS = frozenset(
    {
        TABLE_READ,
        TABLE_WRITE,
        RUNS_STREAM,
        ANALYTICS_STREAM,
        KMS_SIGN,
        KMS_PUBLIC_KEY,
        COGNITO,
        APPROVALS,
        WEBHOOK_QUEUE,
        API_KEYS,
        HEALTH_PROBES,
    }
)


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: str
    callers: frozenset[Caller]
    summary: str
    tag: str
    role: Role | None = None  # minimum role for users
    scopes: tuple[str, ...] = ()  # all required, for API keys
    agent_scopes: tuple[str, ...] = ()  # all required, for agents
    grants: frozenset[str] = frozenset()
    request_model: str | None = None
    query_model: str | None = None
    response_model: str | None = None
    status: int = 200
    content_type: str = "application/json"
    form_encoded: bool = False

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def is_public(self) -> bool:
        return Caller.PUBLIC in self.callers

    @property
    def writes(self) -> bool:
        return TABLE_WRITE in self.grants


R = Route
READ = frozenset({TABLE_READ})
WRITE = frozenset({TABLE_READ, TABLE_WRITE})

ROUTES: tuple[Route, ...] = (
    # --- health, discovery, tiers -------------------------------------------------------------
    R("GET", "/health", "health", PUBLIC, "Liveness", "health", response_model="health:Health"),
    R(
        "GET",
        "/health/detailed",
        "health_detailed",
        PUBLIC,
        "Each dependency's status and latency",
        "health",
        grants=frozenset({TABLE_READ, HEALTH_PROBES}),
        response_model="health:DetailedHealth",
    ),
    R("GET", "/openapi.json", "openapi_document", PUBLIC, "This document", "health"),
    R(
        "GET",
        "/api/v1/tiers",
        "tiers_list",
        PUBLIC,
        "The tier table",
        "billing",
        response_model="tiers:TierList",
    ),
    # --- identity (issue: identity and access) -----------------------------------------------
    R(
        "POST",
        "/api/v1/auth/signup",
        "auth_signup",
        PUBLIC,
        "Create an organisation on the free tier and its owner",
        "identity",
        grants=frozenset({TABLE_READ, TABLE_WRITE, COGNITO, API_KEYS}),
        request_model="tenants:SignupRequest",
        response_model="tenants:SignupResult",
        status=201,
    ),
    R(
        "POST",
        "/api/v1/auth/login",
        "auth_login",
        PUBLIC,
        "Sign in with email and password",
        "identity",
        grants=frozenset({COGNITO}),
        request_model="tenants:LoginRequest",
        response_model="tenants:LoginResult",
    ),
    R(
        "POST",
        "/api/v1/auth/refresh-token",
        "auth_refresh_token",
        PUBLIC,
        "New tokens for a refresh token",
        "identity",
        grants=frozenset({COGNITO}),
        request_model="tenants:RefreshRequest",
        response_model="tenants:LoginResult",
    ),
    R(
        "POST",
        "/api/v1/auth/logout",
        "auth_logout",
        USER,
        "Sign out everywhere (revokes the refresh tokens)",
        "identity",
        role=Role.VIEWER,
        grants=frozenset({TABLE_READ, TABLE_WRITE, COGNITO}),
        status=204,
    ),
    R(
        "GET",
        "/api/v1/orgs/profile",
        "orgs_profile_get",
        USER,
        "The organisation's profile",
        "identity",
        role=Role.VIEWER,
        grants=READ,
        response_model="tenants:OrgProfile",
    ),
    R(
        "PATCH",
        "/api/v1/orgs/profile",
        "orgs_profile_update",
        USER,
        "Rename the organisation",
        "identity",
        role=Role.ADMIN,
        grants=WRITE,
        request_model="tenants:OrgProfileUpdate",
        response_model="tenants:OrgProfile",
    ),
    R(
        "GET",
        "/api/v1/org-members",
        "members_list",
        USER,
        "The organisation's members",
        "identity",
        role=Role.VIEWER,
        grants=READ,
        query_model="common:PageQuery",
        response_model="members:MemberPage",
    ),
    R(
        "POST",
        "/api/v1/org-members",
        "members_invite",
        USER,
        "Invite a person (Cognito emails a temporary password)",
        "identity",
        role=Role.ADMIN,
        grants=frozenset({TABLE_READ, TABLE_WRITE, COGNITO}),
        request_model="members:MemberInvite",
        response_model="members:Member",
        status=201,
    ),
    R(
        "PATCH",
        "/api/v1/org-members/{id}",
        "members_update",
        USER,
        "Change a member's role or team",
        "identity",
        role=Role.ADMIN,
        grants=WRITE,
        request_model="members:MemberUpdate",
        response_model="members:Member",
    ),
    R(
        "DELETE",
        "/api/v1/org-members/{id}",
        "members_remove",
        USER,
        "Remove a member",
        "identity",
        role=Role.ADMIN,
        grants=frozenset({TABLE_READ, TABLE_WRITE, COGNITO}),
        status=204,
    ),
    R(
        "POST",
        "/api/v1/api-keys",
        "api_keys_create",
        USER,
        "Create a scoped API key (shown once)",
        "identity",
        role=Role.ADMIN,
        grants=WRITE,
        request_model="api_keys:ApiKeyCreate",
        response_model="api_keys:CreatedApiKey",
        status=201,
    ),
    R(
        "GET",
        "/api/v1/api-keys",
        "api_keys_list",
        USER,
        "The organisation's API keys (never the keys themselves)",
        "identity",
        role=Role.ADMIN,
        grants=READ,
        query_model="common:PageQuery",
        response_model="api_keys:ApiKeyPage",
    ),
    R(
        "DELETE",
        "/api/v1/api-keys/{id}",
        "api_keys_revoke",
        USER,
        "Revoke an API key",
        "identity",
        role=Role.ADMIN,
        grants=WRITE,
        status=204,
    ),
    R(
        "POST",
        "/api/v1/agents",
        "agents_create",
        USER_OR_APIKEY,
        "Register an agent (within the tier's agent limit)",
        "agents",
        role=Role.MEMBER,
        scopes=("agents:write",),
        grants=WRITE,
        request_model="agents:AgentCreate",
        response_model="agents:Agent",
        status=201,
    ),
    R(
        "GET",
        "/api/v1/agents",
        "agents_list",
        USER_OR_APIKEY,
        "List agents (filters: status, team, tag)",
        "agents",
        role=Role.VIEWER,
        scopes=("agents:read",),
        grants=READ,
        query_model="agents:AgentQuery",
        response_model="agents:AgentPage",
    ),
    R(
        "GET",
        "/api/v1/agents/{id}",
        "agents_get",
        USER_OR_APIKEY,
        "One agent",
        "agents",
        role=Role.VIEWER,
        scopes=("agents:read",),
        grants=READ,
        response_model="agents:Agent",
    ),
    R(
        "PATCH",
        "/api/v1/agents/{id}",
        "agents_update",
        USER_OR_APIKEY,
        "Change an agent",
        "agents",
        role=Role.MEMBER,
        scopes=("agents:write",),
        grants=WRITE,
        request_model="agents:AgentUpdate",
        response_model="agents:Agent",
    ),
    R(
        "DELETE",
        "/api/v1/agents/{id}",
        "agents_delete",
        USER_OR_APIKEY,
        "Delete an agent",
        "agents",
        role=Role.MEMBER,
        scopes=("agents:write",),
        grants=WRITE,
        status=204,
    ),
    R(
        "POST",
        "/api/v1/agents/{id}/pause",
        "agents_pause",
        USER_OR_APIKEY,
        "Pause an agent: no tokens, every call it makes answers 403",
        "agents",
        role=Role.TEAM_LEAD,
        scopes=("agents:control",),
        grants=frozenset({TABLE_READ, TABLE_WRITE, WEBHOOK_QUEUE}),
        request_model="agents:PauseRequest",
        response_model="agents:Agent",
    ),
    R(
        "POST",
        "/api/v1/agents/{id}/resume",
        "agents_resume",
        USER_OR_APIKEY,
        "Resume a paused agent",
        "agents",
        role=Role.TEAM_LEAD,
        scopes=("agents:control",),
        grants=frozenset({TABLE_READ, TABLE_WRITE, WEBHOOK_QUEUE}),
        response_model="agents:Agent",
    ),
    R(
        "GET",
        "/api/v1/audit",
        "audit_list",
        USER,
        "The audit log, newest first (filters: action, actor, from, to)",
        "governance",
        role=Role.ADMIN,
        grants=READ,
        query_model="audit:AuditQuery",
        response_model="audit:AuditEntryPage",
    ),
    R(
        "GET",
        "/api/v1/audit/verify",
        "audit_verify",
        USER,
        "Recompute the audit hash chain and check its signed head",
        "governance",
        role=Role.ADMIN,
        grants=frozenset({TABLE_READ, KMS_PUBLIC_KEY}),
        response_model="audit:AuditVerification",
    ),
    # identity: OAuth 2.0 / OIDC (public: these endpoints authenticate the client themselves)
    R(
        "GET",
        "/.well-known/openid-configuration",
        "wellknown_openid_configuration",
        PUBLIC,
        "OpenID Connect discovery document",
        "oauth",
        response_model="oauth:AuthorizationServerMetadata",
    ),
    R(
        "GET",
        "/.well-known/oauth-authorization-server",
        "wellknown_oauth_authorization_server",
        PUBLIC,
        "OAuth 2.0 authorization server metadata (RFC 8414)",
        "oauth",
        response_model="oauth:AuthorizationServerMetadata",
    ),
    R(
        "GET",
        "/.well-known/jwks.json",
        "wellknown_jwks",
        PUBLIC,
        "Public token-signing keys: current and, during a rotation, previous",
        "oauth",
        grants=frozenset({TABLE_READ, KMS_PUBLIC_KEY}),
        response_model="oauth:JwkSet",
    ),
    R(
        "POST",
        "/oauth2/token",
        "oauth_token",
        PUBLIC,
        "Issue an access token (client_credentials, token exchange for agent delegation)",
        "oauth",
        grants=frozenset({TABLE_READ, KMS_SIGN, KMS_PUBLIC_KEY, ANALYTICS_STREAM}),
        request_model="oauth:TokenRequest",
        response_model="oauth:TokenResponse",
        form_encoded=True,
    ),
    R(
        "POST",
        "/oauth2/introspect",
        "oauth_introspect",
        PUBLIC,
        "Token introspection (RFC 7662); a client or an API key (agents:read)",
        "oauth",
        grants=frozenset({TABLE_READ, TABLE_WRITE, KMS_PUBLIC_KEY}),
        request_model="oauth:IntrospectionRequest",
        response_model="oauth:Introspection",
        form_encoded=True,
    ),
    R(
        "POST",
        "/oauth2/revoke",
        "oauth_revoke",
        PUBLIC,
        "Token revocation (RFC 7009); a client or an API key (agents:control)",
        "oauth",
        grants=frozenset({TABLE_READ, TABLE_WRITE, KMS_PUBLIC_KEY}),
        request_model="oauth:RevocationRequest",
        response_model="oauth:Revocation",
        form_encoded=True,
    ),
    # identity: agent credentials
    R(
        "POST",
        "/api/v1/agents/{id}/credentials",
        "credentials_create",
        USER_OR_APIKEY,
        "Create the agent's client credentials, or rotate them (the previous secret stays valid for a grace period)",
        "agents",
        role=Role.MEMBER,
        scopes=("agents:write",),
        grants=WRITE,
        request_model="credentials:CreateCredential",
        response_model="credentials:IssuedCredential",
        status=201,
    ),
    R(
        "GET",
        "/api/v1/agents/{id}/credentials",
        "credentials_list",
        USER_OR_APIKEY,
        "The agent's credentials, never with a secret",
        "agents",
        role=Role.VIEWER,
        scopes=("agents:read",),
        grants=READ,
        query_model="common:PageQuery",
        response_model="credentials:CredentialPage",
    ),
    R(
        "DELETE",
        "/api/v1/agents/{id}/credentials/{credential_id}",
        "credentials_revoke",
        USER_OR_APIKEY,
        "Revoke a credential at once",
        "agents",
        role=Role.MEMBER,
        scopes=("agents:write",),
        grants=WRITE,
        status=204,
    ),
    # --- runs, costs, budgets, analytics -------------------------------------------------------
    R(
        "POST",
        "/api/v1/ingest/run",
        "ingest_run",
        AGENT_OR_APIKEY,
        "Ingest one run (stored once per run_id by the runs consumer)",
        "runs",
        scopes=("ingest",),
        agent_scopes=("runs:write",),
        grants=frozenset({TABLE_READ, RUNS_STREAM}),
        request_model="runs:RunIn",
        response_model="runs:IngestAccepted",
        status=202,
    ),
    R(
        "POST",
        "/api/v1/ingest/batch",
        "ingest_batch",
        AGENT_OR_APIKEY,
        "Ingest up to 500 runs / 5 MB; a result per run",
        "runs",
        scopes=("ingest",),
        agent_scopes=("runs:write",),
        grants=frozenset({TABLE_READ, RUNS_STREAM}),
        request_model="runs:IngestBatch",
        response_model="runs:IngestBatchResult",
        status=207,
    ),
    R(
        "GET",
        "/api/v1/runs",
        "runs_list",
        USER_OR_APIKEY,
        "Runs, newest first, filtered by agent, status, team, time and cost",
        "runs",
        scopes=("runs:read",),
        grants=READ,
        query_model="runs:RunQuery",
        response_model="runs:RunPage",
    ),
    R(
        "GET",
        "/api/v1/runs/{id}",
        "runs_get",
        USER_OR_APIKEY,
        "One run with its cost",
        "runs",
        scopes=("runs:read",),
        grants=READ,
        response_model="runs:Run",
    ),
    R(
        "GET",
        "/api/v1/events/{run_id}",
        "events_list",
        USER_OR_APIKEY,
        "A run's events in order (timeline)",
        "runs",
        scopes=("runs:read",),
        grants=READ,
        query_model="common:PageQuery",
        response_model="runs:RunEventPage",
    ),
    R(
        "GET",
        "/api/v1/dashboard/home",
        "dashboard_home",
        USER,
        "KPI cards: runs, error rate, latency, cost, top agents",
        "runs",
        grants=READ,
        response_model="analytics:DashboardHome",
    ),
    R(
        "GET",
        "/api/v1/dashboard/agent/{id}",
        "dashboard_agent",
        USER,
        "One agent's KPIs and trend",
        "runs",
        grants=READ,
        response_model="analytics:AgentDashboard",
    ),
    R(
        "GET",
        "/api/v1/exports/runs.csv",
        "exports_runs_csv",
        USER,
        "Runs as CSV",
        "runs",
        grants=READ,
        query_model="runs:ExportQuery",
        content_type="text/csv",
    ),
    R(
        "GET",
        "/api/v1/costs/summary",
        "costs_summary",
        USER_OR_APIKEY,
        "The organization's cost by day",
        "costs",
        scopes=("costs:read",),
        grants=READ,
        query_model="costs:CostQuery",
        response_model="costs:CostReport",
    ),
    R(
        "GET",
        "/api/v1/costs/by-agent/{id}",
        "costs_by_agent",
        USER_OR_APIKEY,
        "One agent's cost by day",
        "costs",
        scopes=("costs:read",),
        grants=READ,
        query_model="costs:CostQuery",
        response_model="costs:CostReport",
    ),
    R(
        "GET",
        "/api/v1/costs/by-team/{name}",
        "costs_by_team",
        USER_OR_APIKEY,
        "One team's cost by day",
        "costs",
        scopes=("costs:read",),
        grants=READ,
        query_model="costs:CostQuery",
        response_model="costs:CostReport",
    ),
    R(
        "POST",
        "/api/v1/budgets",
        "budgets_create",
        USER,
        "Create a budget",
        "costs",
        role=Role.ADMIN,
        grants=WRITE,
        request_model="budgets:BudgetCreate",
        response_model="budgets:Budget",
        status=201,
    ),
    R(
        "GET",
        "/api/v1/budgets",
        "budgets_list",
        USER,
        "Budgets with their current spend",
        "costs",
        grants=READ,
        query_model="budgets:BudgetQuery",
        response_model="budgets:BudgetPage",
    ),
    R(
        "GET",
        "/api/v1/budgets/{id}",
        "budgets_get",
        USER,
        "One budget with its current spend",
        "costs",
        grants=READ,
        response_model="budgets:Budget",
    ),
    R(
        "PATCH",
        "/api/v1/budgets/{id}",
        "budgets_update",
        USER,
        "Change a budget's amount, threshold or auto-pause",
        "costs",
        role=Role.ADMIN,
        grants=WRITE,
        request_model="budgets:BudgetUpdate",
        response_model="budgets:Budget",
    ),
    R(
        "DELETE",
        "/api/v1/budgets/{id}",
        "budgets_delete",
        USER,
        "Delete a budget",
        "costs",
        role=Role.ADMIN,
        grants=WRITE,
        status=204,
    ),
    R(
        "GET",
        "/api/v1/analytics/tokens",
        "analytics_tokens",
        USER,
        "Token issuance by day",
        "analytics",
        grants=READ,
        query_model="analytics:AnalyticsQuery",
        response_model="analytics:TokenTrend",
    ),
    R(
        "GET",
        "/api/v1/analytics/heatmap",
        "analytics_heatmap",
        USER,
        "Activity by agent and hour of day (UTC)",
        "analytics",
        grants=READ,
        query_model="analytics:AnalyticsQuery",
        response_model="analytics:Heatmap",
    ),
    R(
        "GET",
        "/api/v1/analytics/usage",
        "analytics_usage",
        USER,
        "API calls by day against the tier's daily quota",
        "analytics",
        grants=READ,
        query_model="analytics:AnalyticsQuery",
        response_model="analytics:QuotaUsage",
    ),
    R(
        "GET",
        "/api/v1/usage",
        "usage_get",
        USER,
        "Usage against the tier's limits",
        "billing",
        grants=READ,
        response_model="analytics:TierUsage",
    ),
    # --- governance -----------------------------------------------------------------------------
)


@lru_cache(maxsize=1)
def routes_by_key() -> dict[str, Route]:
    return {route.key: route for route in ROUTES}


def find_route(method: str, resource: str) -> Route | None:
    """The row for an API Gateway ``httpMethod`` and ``resource`` (the path template)."""
    return routes_by_key().get(f"{method.upper()} {resource}")

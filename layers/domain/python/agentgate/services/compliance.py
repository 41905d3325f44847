"""The tenant's compliance report (AGNTCY-style): agents' identity hygiene, the audit chain, controls.

Per agent: is its A2A card valid, does its did:web document resolve (published, with signing
keys), was its credential rotated within the tenant's rotation policy, do its scopes look
least-privilege. Then the audit chain's verification, and controls that summarise these with
their evidence. A report is kept for ``CACHE_SECONDS`` per tenant (building it walks the audit
chain), and says when it was generated.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from agentgate.auth import keys
from agentgate.data.lookups import find_global
from agentgate.data.tenant import tenant_data
from agentgate.models import (
    ActiveCredentialItem,
    AgentItem,
    ComplianceReportItem,
    CredentialItem,
    TenantItem,
    TrustPolicyItem,
)
from agentgate.platform.tenancy import ADMIN_SCOPE, TenantContext
from agentgate.schemas.compliance import (
    AgentCompliance,
    AuditChainStatus,
    ComplianceReport,
    Control,
)
from agentgate.services import cards, trust_policies

CACHE_SECONDS = 300
DEFAULT_ROTATION_DAYS = 90
MANY_SCOPES = 10
# Scopes that control other principals or everything: an agent rarely needs them.
POWERFUL_SCOPES = frozenset({ADMIN_SCOPE, "agents:control", "agents:write"})


def _scope_flags(scopes: set[str]) -> list[str]:
    flags = [f"holds {scope}" for scope in sorted(scopes & POWERFUL_SCOPES)]
    flags += [f"wildcard scope {scope}" for scope in sorted(scopes) if "*" in scope]
    if len(scopes) > MANY_SCOPES:
        flags.append(f"{len(scopes)} scopes (more than {MANY_SCOPES})")
    return flags


def _rotation_age_days(ctx: TenantContext, agent_id: str, now: datetime) -> int | None:
    data = tenant_data(ctx)
    pointer = data.find(ActiveCredentialItem, ActiveCredentialItem.sk_for(agent_id))
    if pointer is None:
        return None
    credential = find_global(CredentialItem, CredentialItem.pk_for(pointer.client_id), CredentialItem.SK)
    if credential is None or credential.tenant_id != ctx.tenant_id or credential.status != "active":
        return None
    made = credential.rotated_at or credential.created_at
    return max(0, (now - made).days)


def _agent(
    ctx: TenantContext, item: AgentItem, organization: str, rotation_days: int, now: datetime
) -> AgentCompliance:
    problems = cards.card_problems(cards.build_card(item, organization))
    age = _rotation_age_days(ctx, item.agent_id, now)
    scopes = set(item.scopes or ())
    flags = _scope_flags(scopes)
    return AgentCompliance(
        id=item.agent_id,
        name=item.name,
        published=bool(item.published),
        card_valid=not problems,
        card_problems=problems,
        did_resolvable=bool(item.published) and bool(keys.key_set().published),
        credentials_rotated_within_days=age,
        credentials_within_policy=age is not None and age <= rotation_days,
        scopes=sorted(scopes),
        scope_flags=flags,
        least_privilege=not flags,
    )


def _checked(control_id: str, title: str, checked: list[Any], failures: list[str], passed: str) -> Control:
    """A control over ``checked`` things: not applicable without any, else failed by its failures
    (the evidence), else passed (``passed`` is the evidence, with ``{n}`` the number checked)."""
    status = "not_applicable" if not checked else "fail" if failures else "pass"
    return Control(
        id=control_id,
        title=title,
        status=status,  # type: ignore[arg-type]
        evidence=failures or [passed.format(n=len(checked))],
    )


def _controls(
    agents: list[AgentCompliance],
    chain: AuditChainStatus,
    policies: list[TrustPolicyItem],
    rotation_days: int,
) -> list[Control]:
    published = [a for a in agents if a.published]
    with_credentials = [a for a in agents if a.credentials_rotated_within_days is not None]
    bad_cards = [f"{a.id}: {'; '.join(a.card_problems)}" for a in published if not a.card_valid]
    bad_dids = [f"{a.id}: did:web document does not resolve" for a in published if not a.did_resolvable]
    stale = [
        f"{a.id}: rotated {a.credentials_rotated_within_days} days ago"
        for a in with_credentials
        if not a.credentials_within_policy
    ]
    broad = [f"{a.id}: {', '.join(a.scope_flags)}" for a in agents if not a.least_privilege]
    unpinned = [
        f"{p.policy_id}: pins none of {', '.join(trust_policies.pinned_claims(p.issuer))}"
        for p in policies
        if not any(
            name in (p.claims or {}) and "*" not in p.claims[name]
            for name in trust_policies.pinned_claims(p.issuer)
        )
    ]
    checked = (  # id, title, what is checked, its failures, the evidence when none fails
        (
            "AG-ID-1",
            "Every published agent has a valid A2A agent card",
            published,
            bad_cards,
            "{n} published agents, every card valid",
        ),
        (
            "AG-ID-2",
            "Every published agent's did:web document resolves to the published signing keys",
            published,
            bad_dids,
            "{n} DID documents resolvable",
        ),
        (
            "AG-ID-3",
            f"Agent credentials are rotated within {rotation_days} days",
            with_credentials,
            stale,
            "{n} active credentials within the policy",
        ),
        (
            "AG-AC-1",
            "Agents hold least-privilege scopes",
            agents,
            broad,
            "{n} agents, none with broad scopes",
        ),
        (
            "AG-FED-1",
            "Trust policies pin an immutable id claim",
            policies,
            unpinned,
            "{n} trust policies, each pinned",
        ),
    )
    return [
        *(_checked(*row) for row in checked),
        Control(
            id="AG-AU-1",
            title="The audit log's hash chain verifies",
            status="pass" if chain.valid else "fail",
            evidence=[
                f"{chain.entries_checked} entries checked, head {chain.head_hash}"
                if chain.valid
                else f"first bad entry {chain.first_bad_entry}"
            ],
        ),
    ]


def build(ctx: TenantContext) -> ComplianceReport:
    from agentgate.services import audit_signing

    data = tenant_data(ctx)
    now = datetime.now(UTC)
    tenant = data.find(TenantItem, TenantItem.SK)
    organization = tenant.name if tenant is not None else ""
    rotation_days = DEFAULT_ROTATION_DAYS
    agents = [
        _agent(ctx, item, organization, rotation_days, now)
        for item in data.query(AgentItem, sk_prefix=AgentItem.SK_PREFIX)
    ]
    policies = list(data.query(TrustPolicyItem, sk_prefix=TrustPolicyItem.SK_PREFIX))
    verification = audit_signing.verify(ctx)
    chain = AuditChainStatus(
        valid=verification.valid,
        entries_checked=verification.entries_checked,
        head_hash=verification.head_hash,
        first_bad_entry=verification.first_bad_entry,
    )
    return ComplianceReport(
        generated_at=now,
        tenant_id=ctx.tenant_id,
        credential_rotation_policy_days=rotation_days,
        agents=agents,
        audit_chain=chain,
        controls=_controls(agents, chain, policies, rotation_days),
    )


def report(ctx: TenantContext) -> ComplianceReport:
    """The cached report when it is younger than CACHE_SECONDS, else a new one (then cached)."""
    data = tenant_data(ctx)
    now = datetime.now(UTC)
    cached = data.find(ComplianceReportItem, ComplianceReportItem.SK, consistent=True)
    if cached is not None and now - cached.generated_at < timedelta(seconds=CACHE_SECONDS):
        return ComplianceReport.model_validate(cached.report)
    fresh = build(ctx)
    data.put(
        data.new(
            ComplianceReportItem,
            ComplianceReportItem.SK,
            report=fresh.model_dump(mode="json"),
            generated_at=fresh.generated_at,
            expires_at=fresh.generated_at + timedelta(seconds=CACHE_SECONDS),
        )
    )
    return fresh

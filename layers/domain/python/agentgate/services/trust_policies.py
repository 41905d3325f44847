"""Trust policies: create, list, read and delete; and matching an external ID token's claims.

A policy must pin a claim that never changes for what it names: ``repository_id`` or
``repository_owner_id`` for GitHub Actions; ``sub`` (or those ids, or GitLab's ``project_id`` /
``namespace_id``) for any other issuer. A repository's name
(``repository``, ``repository_owner``) alone is refused: a deleted and re-created repository, or a
renamed owner, would inherit the trust. Claims match exactly; a ``*`` glob is allowed on ``ref``,
``sub``, ``workflow_ref`` and ``job_workflow_ref`` only, and never on the pinned claim.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from agentgate.data.ids import new_id
from agentgate.data.lookups import query_global
from agentgate.data.tenant import tenant_data
from agentgate.models import AgentItem, TrustPolicyItem
from agentgate.platform.errors import NotFound, field_error
from agentgate.platform.settings import get_settings
from agentgate.platform.tenancy import TenantContext
from agentgate.schemas.federation import (
    GITHUB_ID_CLAIMS,
    GITHUB_ISSUER,
    GLOB_CLAIMS,
    OTHER_ID_CLAIMS,
    TrustPolicy,
    TrustPolicyCreate,
    TrustPolicyPage,
    TrustPolicyQuery,
)

_DIGITS = re.compile(r"^[0-9]+$")


def to_schema(item: TrustPolicyItem) -> TrustPolicy:
    return TrustPolicy(
        id=item.policy_id,
        name=item.name,
        issuer=item.issuer,
        audience=item.audience,
        claims=dict(item.claims or {}),
        agent_id=item.agent_id,
        scopes=sorted(item.scopes or ()),
        max_token_ttl_seconds=int(item.max_token_ttl_seconds) if item.max_token_ttl_seconds else None,
        created_at=item.created_at,
        created_by=item.created_by,
    )


def pinned_claims(issuer: str) -> tuple[str, ...]:
    return GITHUB_ID_CLAIMS if issuer == GITHUB_ISSUER else OTHER_ID_CLAIMS


def _check_claims(request: TrustPolicyCreate) -> None:
    claims = request.claims
    for name, value in claims.items():
        if "*" in value and name not in GLOB_CLAIMS:
            raise field_error(
                f"claims.{name}",
                f"a * glob is allowed only on {', '.join(sorted(GLOB_CLAIMS))}; {name} matches exactly",
            )
    pins = pinned_claims(request.issuer)
    pinned = [name for name in pins if name in claims and "*" not in claims[name]]
    if not pinned:
        if {"repository", "repository_owner", "project_path", "namespace_path"} & claims.keys():
            message = (
                f"a repository's name alone is not enough: pin one of {', '.join(pins)}, "
                "which a deleted and re-created repository or a renamed owner does not inherit"
            )
        else:
            message = f"the policy must pin one of {', '.join(pins)} exactly (no glob)"
        raise field_error("claims", message, code="missing_immutable_claim")
    for name in (*GITHUB_ID_CLAIMS, "project_id", "namespace_id"):
        if name in claims and not _DIGITS.match(claims[name]):
            raise field_error(f"claims.{name}", "an id is a number")


def _check_agent(ctx: TenantContext, request: TrustPolicyCreate) -> AgentItem:
    agent = tenant_data(ctx).find(AgentItem, AgentItem.sk_for(request.agent_id), consistent=True)
    if agent is None:
        raise field_error("agent_id", "no such agent in this organisation", code="not_found")
    excess = sorted(set(request.scopes) - set(agent.scopes or ()))
    if excess:
        raise field_error("scopes", f"the agent does not hold: {' '.join(excess)}", code="not_a_subset")
    return agent


def _check_issuer(issuer: str) -> None:
    if issuer.startswith("http://") and not get_settings().allow_loopback_issuers:
        raise field_error("issuer", "must be an https URL")


def create(ctx: TenantContext, request: TrustPolicyCreate) -> TrustPolicy:
    _check_issuer(request.issuer)
    _check_claims(request)
    settings = get_settings()
    ttl = request.max_token_ttl_seconds
    if ttl is not None and ttl > settings.access_token_ttl_seconds:
        raise field_error(
            "max_token_ttl_seconds", f"at most the token lifetime, {settings.access_token_ttl_seconds} s"
        )
    _check_agent(ctx, request)
    data = tenant_data(ctx)
    policy_id = new_id("tp", sortable=True)
    item = data.new(
        TrustPolicyItem,
        TrustPolicyItem.sk_for(policy_id),
        policy_id=policy_id,
        name=request.name,
        issuer=request.issuer,
        audience=request.audience,
        claims=dict(request.claims),
        agent_id=request.agent_id,
        scopes=set(request.scopes),
        max_token_ttl_seconds=ttl,
        created_at=datetime.now(UTC),
        created_by=data.actor,
        gsi1pk=TrustPolicyItem.issuer_index_key(request.issuer),
        gsi1sk=f"{ctx.tenant_id}#{policy_id}",
    )
    data.record(
        lambda: data.put(item, TrustPolicyItem.pk.does_not_exist()),
        action="trust_policy.created",
        target=f"trust_policy:{policy_id}",
        details={
            "issuer": request.issuer,
            "audience": request.audience,
            "claims": dict(request.claims),
            "agent_id": request.agent_id,
            "scopes": list(request.scopes),
        },
    )
    return to_schema(item)


def _load(ctx: TenantContext, policy_id: str) -> TrustPolicyItem:
    return tenant_data(ctx).get(
        TrustPolicyItem, TrustPolicyItem.sk_for(policy_id), missing="No such trust policy.", consistent=True
    )


def get(ctx: TenantContext, policy_id: str) -> TrustPolicy:
    return to_schema(_load(ctx, policy_id))


def delete(ctx: TenantContext, policy_id: str) -> None:
    data = tenant_data(ctx)
    item = _load(ctx, policy_id)
    data.record(
        lambda: data.delete(item, TrustPolicyItem.pk.exists(), or_raise=NotFound("No such trust policy.")),
        action="trust_policy.deleted",
        target=f"trust_policy:{policy_id}",
        details={"issuer": item.issuer, "agent_id": item.agent_id},
    )


def list_policies(ctx: TenantContext, query: TrustPolicyQuery) -> TrustPolicyPage:
    page = tenant_data(ctx).page(
        TrustPolicyItem,
        sk_prefix=TrustPolicyItem.SK_PREFIX,
        filter=(TrustPolicyItem.agent_id == query.agent_id) if query.agent_id else None,
        limit=query.limit,
        cursor=query.cursor,
    )
    return TrustPolicyPage(items=[to_schema(item) for item in page.items], next_cursor=page.next_cursor)


def policies_of_issuer(issuer: str) -> Iterator[TrustPolicyItem]:
    """Every tenant's policies for ``issuer`` (the token endpoint evaluates them all)."""
    yield from query_global(TrustPolicyItem, TrustPolicyItem.issuer_index_key(issuer), index="gsi1")


def _claim_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int):
        return str(value)
    return None


def matches(item: TrustPolicyItem, claims: dict[str, Any]) -> bool:
    """The token is for this policy's audience and every claim the policy names matches."""
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if item.audience not in audiences:
        return False
    for name, expected in (item.claims or {}).items():
        actual = _claim_text(claims.get(name))
        if actual is None:
            return False
        if name in GLOB_CLAIMS and "*" in expected:
            # fnmatchcase: case-sensitive, and only * is special here (? and [ are escaped).
            pattern = expected.replace("[", "[[]").replace("?", "[?]")
            if not fnmatch.fnmatchcase(actual, pattern):
                return False
        elif actual != expected:
            return False
    return True

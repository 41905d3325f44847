"""Who is calling: the principal and tenant the authorizer established.

The tenant id always comes from the authorizer's context, never from a request
body or path. Every data-access function takes a ``TenantContext``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Caller(StrEnum):
    PUBLIC = "public"
    USER = "user"
    APIKEY = "apikey"
    AGENT = "agent"


class Role(StrEnum):
    VIEWER = "viewer"
    MEMBER = "member"
    TEAM_LEAD = "team_lead"
    ADMIN = "admin"
    OWNER = "owner"

    @property
    def rank(self) -> int:
        return _ROLE_RANK[self]

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


_ROLE_RANK = {Role.VIEWER: 0, Role.MEMBER: 1, Role.TEAM_LEAD: 2, Role.ADMIN: 3, Role.OWNER: 4}

# An API key with this scope may call every route a user may call (API.md).
ADMIN_SCOPE = "admin"


@dataclass(frozen=True)
class Principal:
    kind: Caller
    id: str
    role: Role | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    agent_id: str | None = None
    team: str | None = None
    email: str | None = None
    token_id: str | None = None


@dataclass(frozen=True)
class TenantContext:
    tenant_id: str
    principal: Principal
    tier: str = "free"

    @property
    def pk(self) -> str:
        return f"TENANT#{self.tenant_id}"


# Keys of the authorizer context (API Gateway allows only string, number and boolean values).
CTX_TENANT = "tenant_id"
CTX_KIND = "principal_type"
CTX_PRINCIPAL = "principal_id"
CTX_ROLE = "role"
CTX_SCOPES = "scopes"
CTX_AGENT = "agent_id"
CTX_TEAM = "team"
CTX_EMAIL = "email"
CTX_TIER = "tier"
CTX_TOKEN_ID = "jti"


def context_from_authorizer(authorizer: dict[str, Any]) -> TenantContext | None:
    """Rebuild the tenant context from ``requestContext.authorizer``; None when unauthenticated."""
    tenant_id = authorizer.get(CTX_TENANT)
    kind = authorizer.get(CTX_KIND)
    if not tenant_id or not kind:
        return None
    role = authorizer.get(CTX_ROLE) or None
    principal = Principal(
        kind=Caller(kind),
        id=str(authorizer.get(CTX_PRINCIPAL, "")),
        role=Role(role) if role else None,
        scopes=frozenset(str(authorizer.get(CTX_SCOPES, "")).split()),
        agent_id=authorizer.get(CTX_AGENT) or None,
        team=authorizer.get(CTX_TEAM) or None,
        email=authorizer.get(CTX_EMAIL) or None,
        token_id=authorizer.get(CTX_TOKEN_ID) or None,
    )
    return TenantContext(
        tenant_id=str(tenant_id), principal=principal, tier=str(authorizer.get(CTX_TIER, "free"))
    )


def authorizer_context(ctx: TenantContext) -> dict[str, str]:
    """The inverse of ``context_from_authorizer``: what the authorizer returns."""
    p = ctx.principal
    return {
        CTX_TENANT: ctx.tenant_id,
        CTX_KIND: p.kind.value,
        CTX_PRINCIPAL: p.id,
        CTX_ROLE: p.role.value if p.role else "",
        CTX_SCOPES: " ".join(sorted(p.scopes)),
        CTX_AGENT: p.agent_id or "",
        CTX_TEAM: p.team or "",
        CTX_EMAIL: p.email or "",
        CTX_TIER: ctx.tier,
        CTX_TOKEN_ID: p.token_id or "",
    }

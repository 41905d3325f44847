"""Tenants, agents and callers for the governance tests, written straight to the table."""

from __future__ import annotations

from datetime import UTC, datetime

from agentgate.models import AgentItem, AgentTagItem, TenantItem, tenant_pk
from agentgate.platform.tenancy import Caller, Principal, Role, TenantContext


def make_tenant(tenant_id: str, *, status: str = "active") -> TenantItem:
    tenant = TenantItem(
        tenant_pk(tenant_id), TenantItem.SK, tenant_id=tenant_id, name=f"org {tenant_id}", status=status,
        created_at=datetime.now(UTC),
    )  # fmt: skip
    tenant.save()
    return tenant


def make_agent(
    tenant_id: str,
    agent_id: str,
    *,
    team: str | None = None,
    tags: tuple[str, ...] = (),
    created_by: str | None = None,
    status: str = "active",
) -> AgentItem:
    agent = AgentItem(
        tenant_pk(tenant_id), AgentItem.sk_for(agent_id), tenant_id=tenant_id, agent_id=agent_id,
        name=f"agent {agent_id}", team=team, tags=list(tags), created_by=created_by, status=status,
        created_at=datetime.now(UTC),
    )  # fmt: skip
    agent.save()
    for tag in tags:
        AgentTagItem(
            tenant_pk(tenant_id),
            AgentTagItem.sk_for(tag, agent_id),
            tenant_id=tenant_id,
            agent_id=agent_id,
            tag=tag,
        ).save()
    return agent


def user(
    tenant_id: str, user_id: str = "usr_admin", *, role: str = "admin", email: str | None = None
) -> TenantContext:
    principal = Principal(
        kind=Caller.USER, id=user_id, role=Role(role), email=email or f"{user_id}@example.com"
    )
    return TenantContext(tenant_id=tenant_id, principal=principal)


def agent(tenant_id: str, agent_id: str, *scopes: str) -> TenantContext:
    principal = Principal(kind=Caller.AGENT, id=agent_id, agent_id=agent_id, scopes=frozenset(scopes))
    return TenantContext(tenant_id=tenant_id, principal=principal)


def apikey(tenant_id: str, key_id: str = "key_1", *scopes: str) -> TenantContext:
    principal = Principal(kind=Caller.APIKEY, id=key_id, scopes=frozenset(scopes))
    return TenantContext(tenant_id=tenant_id, principal=principal)

"""The kill switch: pause (and resume) a whole tenant, or every agent of a team or with a tag.

A tenant-wide pause sets the tenant's status to paused and flushes API Gateway's authorizer
cache (``platform.gateway_cache``): every credential of the tenant, including access tokens
issued before the pause, is refused within the authorizer's state cache (5 s) rather than
the gateway's TTL (60 s by default). A team or tag pause
pauses those agents one by one (``agents.pause_agents``: audit entry and ``agent.paused``
event each); the tenant stays active. ``resume-all`` undoes the same scope.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from agentgate.data.principals import sync_lookups
from agentgate.data.tenant import TenantData, tenant_data
from agentgate.data.transactions import ConditionFailed
from agentgate.models import AgentItem, AgentTagItem, TenantItem
from agentgate.platform.gateway_cache import flush_authorizer_cache
from agentgate.platform.tenancy import TenantContext
from agentgate.schemas.emergency import (
    EmergencyPauseRequest,
    EmergencyResumeRequest,
    EmergencyScope,
    EmergencyState,
)

ACTIVE: Literal["active"] = "active"
PAUSED: Literal["paused"] = "paused"


def _status(tenant: TenantItem) -> Literal["active", "paused"]:
    return PAUSED if tenant.status == PAUSED else ACTIVE


def _agent_ids(data: TenantData, scope: str, scope_id: str) -> list[str]:
    if scope == "team":
        found = data.query(AgentItem, sk_prefix=AgentItem.SK_PREFIX, filter=AgentItem.team == scope_id)
        return [agent.agent_id for agent in found]
    return [link.agent_id for link in data.query(AgentTagItem, sk_prefix=AgentTagItem.prefix_for(scope_id))]


def _scope(request: EmergencyScope) -> tuple[Literal["tenant", "team", "tag"], str | None]:
    if request.team is not None:
        return "team", request.team
    if request.tag is not None:
        return "tag", request.tag
    return "tenant", None


def _switch(
    ctx: TenantContext, request: EmergencyScope, reason: str, to: Literal["active", "paused"]
) -> EmergencyState:
    """Pause (``to`` paused) or resume the request's scope, with one audit entry and one event."""
    from agentgate.services import agents  # the identity area's module

    data = tenant_data(ctx)
    tenant = data.get(TenantItem, TenantItem.SK, missing="No such organisation.", consistent=True)
    now = datetime.now(UTC)
    scope, scope_id = _scope(request)
    action = "emergency.paused" if to == PAUSED else "emergency.resumed"
    details: dict[str, Any] = {"reason": reason}
    event_data: dict[str, Any] = {"scope": scope, "reason": reason, "actor": data.actor}
    if scope_id is not None:
        targets = _agent_ids(data, scope, scope_id)
        if to == PAUSED:
            changed = agents.pause_agents(ctx.tenant_id, targets, actor=data.actor, reason=reason)
        else:
            changed = agents.resume_agents(ctx.tenant_id, targets, actor=data.actor)
        details["agent_ids"] = changed
        event_data |= {"scope_id": scope_id, "agent_ids": changed}
        data.record(None, action=action, target=f"{scope}:{scope_id}", details=details, event=action,
                    event_data=event_data)  # fmt: skip
        moved = {"paused_agent_ids": changed} if to == PAUSED else {"resumed_agent_ids": changed}
        return EmergencyState(tenant_id=ctx.tenant_id, status=_status(tenant), scope=scope, scope_id=scope_id,
                              changed_at=now, **moved)  # fmt: skip
    actions: list[Any] = [TenantItem.status.set(to), TenantItem.updated_at.set(now)]
    actions.append(TenantItem.paused_at.set(now) if to == PAUSED else TenantItem.paused_at.remove())
    try:
        data.record(
            lambda: data.update(tenant, actions, TenantItem.status != to),
            action=action,
            target=f"tenant:{ctx.tenant_id}",
            details=details,
            event=action,
            event_data=event_data,
        )
    except ConditionFailed:
        # already there: pressing the button twice changes nothing, but completes the lookups'
        # sync of a press that failed half way
        sync_lookups(data)
    else:
        sync_lookups(data)  # API keys' lookups carry the tenant's status: the authorizer reads them alone
        flush_authorizer_cache(f"tenant {ctx.tenant_id} {to}")  # cached answers would outlive it
    return EmergencyState(tenant_id=ctx.tenant_id, status=to, scope="tenant", changed_at=now)


def pause_all(ctx: TenantContext, request: EmergencyPauseRequest) -> EmergencyState:
    return _switch(ctx, request, request.reason, PAUSED)


def resume_all(ctx: TenantContext, request: EmergencyResumeRequest) -> EmergencyState:
    return _switch(ctx, request, request.reason, ACTIVE)

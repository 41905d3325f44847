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

from pynamodb.exceptions import UpdateError

from agentgate.models import AgentItem, AgentTagItem, TenantItem
from agentgate.platform.errors import NotFound
from agentgate.platform.gateway_cache import flush_authorizer_cache
from agentgate.platform.tenancy import TenantContext
from agentgate.schemas.emergency import (
    EmergencyPauseRequest,
    EmergencyResumeRequest,
    EmergencyScope,
    EmergencyState,
)
from agentgate.services import events

ACTIVE: Literal["active"] = "active"
PAUSED: Literal["paused"] = "paused"


def _status(tenant: TenantItem) -> Literal["active", "paused"]:
    return PAUSED if tenant.status == PAUSED else ACTIVE


def _tenant(ctx: TenantContext) -> TenantItem:
    try:
        return TenantItem.get(ctx.pk, TenantItem.SK, consistent_read=True)
    except TenantItem.DoesNotExist:
        raise NotFound("No such organisation.") from None


def _agents_of_team(ctx: TenantContext, team: str) -> list[str]:
    found = AgentItem.query(
        ctx.pk, AgentItem.sk.startswith("AGENT#"), filter_condition=AgentItem.team == team
    )
    return [agent.agent_id for agent in found]


def _agents_with_tag(ctx: TenantContext, tag: str) -> list[str]:
    links = AgentTagItem.query(ctx.pk, AgentTagItem.sk.startswith(f"AGENTTAG#{tag}#"))
    return [link.agent_id for link in links]


def _scope(request: EmergencyScope) -> tuple[Literal["tenant", "team", "tag"], str | None]:
    if request.team is not None:
        return "team", request.team
    if request.tag is not None:
        return "tag", request.tag
    return "tenant", None


def _agent_ids(ctx: TenantContext, scope: str, scope_id: str) -> list[str]:
    return _agents_of_team(ctx, scope_id) if scope == "team" else _agents_with_tag(ctx, scope_id)


def _set_tenant_status(tenant: TenantItem, status: str, now: datetime) -> bool:
    actions: list[Any] = [TenantItem.status.set(status), TenantItem.updated_at.set(now)]
    actions.append(TenantItem.paused_at.set(now) if status == PAUSED else TenantItem.paused_at.remove())
    try:
        tenant.update(actions=actions, condition=TenantItem.status != status)
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False  # already there: pressing the button twice changes nothing
        raise
    flush_authorizer_cache(f"tenant {tenant.tenant_id} {status}")  # cached answers would outlive it
    return True


def _announce(
    ctx: TenantContext,
    *,
    actor: str,
    action: str,
    scope: str,
    scope_id: str | None,
    reason: str | None,
    agent_ids: list[str] | None = None,
) -> None:
    """One audit entry and one ``emergency.*`` event for a pause or resume of a scope."""
    from agentgate.services import audit  # the identity area's module

    details: dict[str, Any] = {"reason": reason}
    data: dict[str, Any] = {"scope": scope, "reason": reason, "actor": actor}
    if scope_id is not None:
        details["agent_ids"] = agent_ids or []
        data |= {"scope_id": scope_id, "agent_ids": agent_ids or []}
    target = f"{scope}:{scope_id}" if scope_id is not None else f"tenant:{ctx.tenant_id}"
    audit.append(ctx.tenant_id, actor=actor, action=action, target=target, details=details)
    events.emit(ctx.tenant_id, action, data)


def pause_all(ctx: TenantContext, request: EmergencyPauseRequest) -> EmergencyState:
    from agentgate.services import agents, audit  # the identity area's modules

    tenant = _tenant(ctx)
    actor = audit.actor_of(ctx)
    now = datetime.now(UTC)
    scope, scope_id = _scope(request)
    if scope_id is not None:
        paused = agents.pause_agents(
            ctx.tenant_id, _agent_ids(ctx, scope, scope_id), actor=actor, reason=request.reason
        )
        _announce(
            ctx, actor=actor, action="emergency.paused", scope=scope, scope_id=scope_id,
            reason=request.reason, agent_ids=paused,
        )  # fmt: skip
        return EmergencyState(
            tenant_id=ctx.tenant_id, status=_status(tenant), scope=scope, scope_id=scope_id,
            paused_agent_ids=paused, changed_at=now,
        )  # fmt: skip
    if _set_tenant_status(tenant, PAUSED, now):
        _announce(
            ctx, actor=actor, action="emergency.paused", scope="tenant", scope_id=None, reason=request.reason
        )
    return EmergencyState(tenant_id=ctx.tenant_id, status=PAUSED, scope="tenant", changed_at=now)


def resume_all(ctx: TenantContext, request: EmergencyResumeRequest) -> EmergencyState:
    from agentgate.services import agents, audit  # the identity area's modules

    tenant = _tenant(ctx)
    actor = audit.actor_of(ctx)
    now = datetime.now(UTC)
    scope, scope_id = _scope(request)
    if scope_id is not None:
        resumed = agents.resume_agents(ctx.tenant_id, _agent_ids(ctx, scope, scope_id), actor=actor)
        _announce(
            ctx, actor=actor, action="emergency.resumed", scope=scope, scope_id=scope_id,
            reason=request.reason, agent_ids=resumed,
        )  # fmt: skip
        return EmergencyState(
            tenant_id=ctx.tenant_id, status=_status(tenant), scope=scope, scope_id=scope_id,
            resumed_agent_ids=resumed, changed_at=now,
        )  # fmt: skip
    if _set_tenant_status(tenant, ACTIVE, now):
        _announce(
            ctx, actor=actor, action="emergency.resumed", scope="tenant", scope_id=None, reason=request.reason
        )
    return EmergencyState(tenant_id=ctx.tenant_id, status=ACTIVE, scope="tenant", changed_at=now)

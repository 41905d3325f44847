"""The agent registry: create, list, read, change, delete, pause and resume agents.

The tier's agent limit holds under concurrency: creating an agent is one transaction that puts the
agent and adds one to the tenant's ``agent_count`` on the condition that it is below the limit;
deleting subtracts one in the same way. Listing by team and by status reads a GSI (gsi1, gsi2); by
tag, one ``AGENTTAG#<tag>#<agent>`` item per tag, kept in the agent's transactions.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from agentgate.data.cursors import decode_cursor, encode_cursor
from agentgate.data.transactions import cancellation_codes, transaction
from agentgate.models import AgentItem, AgentTagItem, TenantItem, tenant_pk
from agentgate.platform.errors import Conflict, DependencyUnavailable, Forbidden, NotFound
from agentgate.platform.gateway_cache import flush_authorizer_cache
from agentgate.platform.tenancy import TenantContext
from agentgate.schemas.agents import Agent, AgentCreate, AgentPage, AgentQuery, AgentUpdate
from agentgate.services import audit
from agentgate.tiers import tier_limits

AGENT_ID_PREFIX = "agt_"
ACTIVE, PAUSED = "active", "paused"
_AGENT_SK_PREFIX = "AGENT#"
_MAX_ATTEMPTS = 5


def _now() -> datetime:
    return datetime.now(UTC)


def team_index_key(tenant_id: str, team: str) -> str:
    return f"{tenant_pk(tenant_id)}#AGENTS#TEAM#{team}"


def status_index_key(tenant_id: str, status: str) -> str:
    return f"{tenant_pk(tenant_id)}#AGENTS#STATUS#{status}"


def _tag_prefix(tag: str) -> str:
    return f"AGENTTAG#{tag}#"


def to_schema(item: AgentItem) -> Agent:
    return Agent(
        id=item.agent_id,
        name=item.name,
        description=item.description or "",
        type=item.type,
        provider=item.provider,
        environment=item.environment,
        tags=_tags(item),
        team=item.team,
        status=item.status,  # type: ignore[arg-type]
        scopes=sorted(item.scopes or ()),
        created_at=item.created_at,
        updated_at=item.updated_at,
        paused_reason=item.paused_reason,
    )


def _tags(item: AgentItem) -> list[str]:
    return [str(tag) for tag in item.tags or []]


def get_item(ctx: TenantContext, agent_id: str) -> AgentItem:
    """The tenant's agent; another tenant's id is simply not found."""
    try:
        return AgentItem.get(ctx.pk, AgentItem.sk_for(agent_id), consistent_read=True)
    except AgentItem.DoesNotExist:
        raise NotFound("No such agent.") from None


def get(ctx: TenantContext, agent_id: str) -> Agent:
    return to_schema(get_item(ctx, agent_id))


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _tag_item(tenant_id: str, agent_id: str, tag: str) -> AgentTagItem:
    return AgentTagItem(
        tenant_pk(tenant_id),
        AgentTagItem.sk_for(tag, agent_id),
        tenant_id=tenant_id,
        agent_id=agent_id,
        tag=tag,
    )


# --- create and delete: the tier limit -----------------------------------------------------------


def create(ctx: TenantContext, request: AgentCreate) -> Agent:
    try:
        tenant = TenantItem.get(ctx.pk, TenantItem.SK, consistent_read=True)
    except TenantItem.DoesNotExist:
        raise NotFound("No such organisation.") from None
    limit = tier_limits(tenant.tier).agent_limit
    now = _now()
    agent_id = AGENT_ID_PREFIX + secrets.token_hex(8)
    tags = _unique(request.tags)
    item = AgentItem(
        ctx.pk,
        AgentItem.sk_for(agent_id),
        tenant_id=ctx.tenant_id,
        agent_id=agent_id,
        name=request.name,
        description=request.description,
        type=request.type,
        provider=request.provider,
        environment=request.environment,
        tags=tags,
        team=request.team,
        status=ACTIVE,
        scopes=set(request.scopes),
        created_at=now,
        created_by=audit.actor_of(ctx),
        gsi1pk=team_index_key(ctx.tenant_id, request.team) if request.team else None,
        gsi1sk=f"{now.isoformat()}#{agent_id}" if request.team else None,
        gsi2pk=status_index_key(ctx.tenant_id, ACTIVE),
        gsi2sk=f"{now.isoformat()}#{agent_id}",
    )
    for _attempt in range(_MAX_ATTEMPTS):
        try:
            with transaction() as tx:
                tx.update(
                    TenantItem(ctx.pk, TenantItem.SK),
                    actions=[TenantItem.agent_count.add(1)],
                    condition=TenantItem.pk.exists()
                    & (TenantItem.agent_count.does_not_exist() | (TenantItem.agent_count < limit)),
                )
                tx.save(item, condition=AgentItem.pk.does_not_exist())
                for tag in tags:
                    tx.save(_tag_item(ctx.tenant_id, agent_id, tag))
            break
        except TransactWriteError as exc:
            codes = cancellation_codes(exc)
            # pynamodb sends puts before updates: the tenant's counter is the last item.
            if codes[-1:] == ["ConditionalCheckFailed"]:
                raise Forbidden(
                    f"The {tenant.tier} tier allows {limit} agents; delete one or upgrade.", code="tier_limit"
                ) from None
            if (
                "TransactionConflict" not in codes
                and exc.cause_response_code != "TransactionConflictException"
            ):
                raise
    else:
        raise DependencyUnavailable(
            "Agents are being changed concurrently; retry.", headers={"Retry-After": "1"}
        )
    audit.append(
        ctx.tenant_id,
        actor=audit.actor_of(ctx),
        action="agent.created",
        target=f"agent:{agent_id}",
        details={"name": request.name, "team": request.team, "scopes": sorted(request.scopes)},
    )
    return to_schema(item)


def delete(ctx: TenantContext, agent_id: str) -> None:
    item = get_item(ctx, agent_id)
    try:
        with transaction() as tx:
            tx.delete(item, condition=AgentItem.pk.exists())  # deletes go first: the agent is item 0
            tx.update(
                TenantItem(ctx.pk, TenantItem.SK),
                actions=[TenantItem.agent_count.add(-1)],
                condition=TenantItem.agent_count > 0,
            )
            for tag in _tags(item):
                tx.delete(_tag_item(ctx.tenant_id, agent_id, tag))
    except TransactWriteError as exc:
        if cancellation_codes(exc)[:1] == ["ConditionalCheckFailed"]:
            raise NotFound("No such agent.") from None
        raise
    audit.append(
        ctx.tenant_id,
        actor=audit.actor_of(ctx),
        action="agent.deleted",
        target=f"agent:{agent_id}",
        details={"name": item.name},
    )


# --- change ---------------------------------------------------------------------------------------


def update(ctx: TenantContext, agent_id: str, request: AgentUpdate) -> Agent:
    item = get_item(ctx, agent_id)
    fields = request.model_fields_set
    changes: dict[str, Any] = {}
    actions: list[Any] = []
    for name in ("name", "description", "type", "provider", "environment"):
        if name in fields and getattr(request, name) != getattr(item, name):
            value = getattr(request, name)
            if value is None and name in {"name", "type", "environment", "description"}:
                continue  # a required attribute cannot be removed; null leaves it as it is
            changes[name] = {"from": getattr(item, name), "to": value}
            attribute = getattr(AgentItem, name)
            actions.append(attribute.remove() if value is None else attribute.set(value))
    if "scopes" in fields and request.scopes is not None and set(request.scopes) != set(item.scopes or ()):
        changes["scopes"] = {"from": sorted(item.scopes or ()), "to": sorted(set(request.scopes))}
        actions.append(
            AgentItem.scopes.set(set(request.scopes)) if request.scopes else AgentItem.scopes.remove()
        )
    if "team" in fields and request.team != item.team:
        changes["team"] = {"from": item.team, "to": request.team}
        if request.team is None:
            actions += [AgentItem.team.remove(), AgentItem.gsi1pk.remove(), AgentItem.gsi1sk.remove()]
        else:
            actions += [
                AgentItem.team.set(request.team),
                AgentItem.gsi1pk.set(team_index_key(ctx.tenant_id, request.team)),
                AgentItem.gsi1sk.set(f"{item.created_at.isoformat()}#{agent_id}"),
            ]
    old_tags = _tags(item)
    new_tags = _unique(request.tags) if "tags" in fields and request.tags is not None else old_tags
    if new_tags != old_tags:
        changes["tags"] = {"from": old_tags, "to": new_tags}
        actions.append(AgentItem.tags.set(new_tags))  # type: ignore[arg-type]
    if not actions:
        return to_schema(item)
    now = _now()
    actions += [AgentItem.updated_at.set(now), AgentItem.version.add(1)]
    try:
        with transaction() as tx:
            tx.update(item, actions=actions, condition=AgentItem.version == item.version)
            for tag in set(old_tags) - set(new_tags):
                tx.delete(_tag_item(ctx.tenant_id, agent_id, tag))
            for tag in set(new_tags) - set(old_tags):
                tx.save(_tag_item(ctx.tenant_id, agent_id, tag))
    except TransactWriteError as exc:
        # pynamodb sends deletes and puts (the tags) before updates: the agent is the last item.
        if cancellation_codes(exc)[-1:] == ["ConditionalCheckFailed"]:
            raise Conflict("The agent changed meanwhile; read it and try again.", code="conflict") from None
        raise
    audit.append(
        ctx.tenant_id,
        actor=audit.actor_of(ctx),
        action="agent.updated",
        target=f"agent:{agent_id}",
        details=changes,
    )
    return get(ctx, agent_id)


# --- pause and resume -----------------------------------------------------------------------------


def _set_status(tenant_id: str, agent_id: str, *, to: str, reason: str | None) -> bool:
    """Move one agent from the other status to ``to``; False when it is missing or already there."""
    item = AgentItem(tenant_pk(tenant_id), AgentItem.sk_for(agent_id))
    now = _now()
    actions: list[Any] = [
        AgentItem.status.set(to),
        AgentItem.gsi2pk.set(status_index_key(tenant_id, to)),
        AgentItem.updated_at.set(now),
        AgentItem.version.add(1),
        AgentItem.paused_reason.set(reason) if reason else AgentItem.paused_reason.remove(),
    ]
    try:
        item.update(actions=actions, condition=AgentItem.pk.exists() & (AgentItem.status != to))
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def pause_agents(tenant_id: str, agent_ids: list[str], *, actor: str, reason: str) -> list[str]:
    """Pause the tenant's agents (those missing or already paused are skipped); returns the ids paused."""
    from agentgate.services import events  # type: ignore[attr-defined]  # the governance area's module; imported when first needed

    paused = []
    for agent_id in _unique(agent_ids):
        if _set_status(tenant_id, agent_id, to=PAUSED, reason=reason):
            paused.append(agent_id)
            audit.append(
                tenant_id,
                actor=actor,
                action="agent.paused",
                target=f"agent:{agent_id}",
                details={"reason": reason},
            )
            events.emit(tenant_id, "agent.paused", {"agent_id": agent_id, "reason": reason, "actor": actor})
    if paused:  # tokens in use: API Gateway's cached Allow would outlive the pause by its TTL
        flush_authorizer_cache(f"{len(paused)} agent(s) of {tenant_id} paused by {actor}")
    return paused


def resume_agents(tenant_id: str, agent_ids: list[str], *, actor: str) -> list[str]:
    """Resume the tenant's paused agents; returns the ids resumed."""
    from agentgate.services import events  # type: ignore[attr-defined]

    resumed = []
    for agent_id in _unique(agent_ids):
        if _set_status(tenant_id, agent_id, to=ACTIVE, reason=None):
            resumed.append(agent_id)
            audit.append(tenant_id, actor=actor, action="agent.resumed", target=f"agent:{agent_id}")
            events.emit(tenant_id, "agent.resumed", {"agent_id": agent_id, "actor": actor})
    if resumed:  # the cached Deny would keep refusing the resumed agents for the TTL
        flush_authorizer_cache(f"{len(resumed)} agent(s) of {tenant_id} resumed by {actor}")
    return resumed


def pause(ctx: TenantContext, agent_id: str, reason: str) -> Agent:
    get_item(ctx, agent_id)
    pause_agents(ctx.tenant_id, [agent_id], actor=audit.actor_of(ctx), reason=reason)
    return get(ctx, agent_id)


def resume(ctx: TenantContext, agent_id: str) -> Agent:
    get_item(ctx, agent_id)
    resume_agents(ctx.tenant_id, [agent_id], actor=audit.actor_of(ctx))
    return get(ctx, agent_id)


# --- listing --------------------------------------------------------------------------------------


def _matches(item: AgentItem, query: AgentQuery) -> bool:
    return (query.status is None or item.status == query.status) and (
        query.team is None or item.team == query.team
    )


def _list_by_tag(ctx: TenantContext, query: AgentQuery, tag: str) -> AgentPage:
    links = AgentTagItem.query(
        ctx.pk,
        AgentTagItem.sk.startswith(_tag_prefix(tag)),
        limit=query.limit,
        last_evaluated_key=decode_cursor(query.cursor, {"pk": ctx.pk}),
    )
    ids = [link.agent_id for link in links]
    found = {a.agent_id: a for a in AgentItem.batch_get([(ctx.pk, AgentItem.sk_for(i)) for i in ids])}
    items = [to_schema(found[i]) for i in ids if i in found and _matches(found[i], query)]
    return AgentPage(items=items, next_cursor=encode_cursor(links.last_evaluated_key))


def list_agents(ctx: TenantContext, query: AgentQuery) -> AgentPage:
    """One query per page: by tag, by team (gsi1), by status (gsi2) or all; the other filters apply on top."""
    if query.tag:
        return _list_by_tag(ctx, query, query.tag)
    if query.team:
        key = team_index_key(ctx.tenant_id, query.team)
        results = AgentItem.gsi1.query(
            key,
            filter_condition=(AgentItem.status == query.status) if query.status else None,
            limit=query.limit,
            last_evaluated_key=decode_cursor(query.cursor, {"gsi1pk": key}),
        )
    elif query.status:
        key = status_index_key(ctx.tenant_id, query.status)
        results = AgentItem.gsi2.query(
            key, limit=query.limit, last_evaluated_key=decode_cursor(query.cursor, {"gsi2pk": key})
        )
    else:
        results = AgentItem.query(
            ctx.pk,
            AgentItem.sk.startswith(_AGENT_SK_PREFIX),
            limit=query.limit,
            last_evaluated_key=decode_cursor(query.cursor, {"pk": ctx.pk}),
        )
    items = [to_schema(item) for item in results]
    return AgentPage(items=items, next_cursor=encode_cursor(results.last_evaluated_key))

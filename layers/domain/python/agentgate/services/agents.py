"""The agent registry: create, list, read, change, delete, pause and resume agents.

The tier's agent limit holds under concurrency: creating an agent is one transaction that puts the
agent and adds one to the tenant's ``agent_count`` on the condition that it is below the limit;
deleting subtracts one in the same way. Listing by team and by status reads a GSI (gsi1, gsi2); by
tag, one ``AGENTTAG#<tag>#<agent>`` item per tag, kept in the agent's transactions.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from agentgate.data.ids import new_id
from agentgate.data.pages import ItemPage
from agentgate.data.tenant import TenantData, system_data, tenant_data
from agentgate.data.transactions import ConditionFailed, Transaction
from agentgate.models import AgentItem, AgentTagItem, MarketplaceEntryItem, TenantItem
from agentgate.platform.errors import Conflict, Forbidden, NotFound
from agentgate.platform.gateway_cache import flush_authorizer_cache
from agentgate.platform.tenancy import Caller, TenantContext
from agentgate.schemas.agents import Agent, AgentCreate, AgentPage, AgentQuery, AgentUpdate
from agentgate.tiers import tier_limits

AGENT_ID_PREFIX = "agt"
ACTIVE, PAUSED = "active", "paused"
_MAX_ATTEMPTS = 5
_MISSING = "No such agent."
_BUSY = "Agents are being changed concurrently; retry."


def _now() -> datetime:
    return datetime.now(UTC)


def team_index_key(tenant_id: str, team: str) -> str:
    return system_data(tenant_id).index_key("AGENTS", "TEAM", team)


def status_index_key(tenant_id: str, status: str) -> str:
    return system_data(tenant_id).index_key("AGENTS", "STATUS", status)


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
        audiences=[str(a) for a in item.audiences or []],
        skills=list(item.skills or []),
        interfaces=list(item.interfaces or []),
        version=item.agent_version or "1.0.0",
        published=bool(item.published),
        published_at=item.published_at,
        created_at=item.created_at,
        updated_at=item.updated_at,
        paused_reason=item.paused_reason,
    )


def _tags(item: AgentItem) -> list[str]:
    return [str(tag) for tag in item.tags or []]


def get_item(ctx: TenantContext, agent_id: str) -> AgentItem:
    """The tenant's agent; another tenant's id is simply not found."""
    return tenant_data(ctx).get(AgentItem, AgentItem.sk_for(agent_id), missing=_MISSING, consistent=True)


def get(ctx: TenantContext, agent_id: str) -> Agent:
    return to_schema(get_item(ctx, agent_id))


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _tag_item(data: TenantData, agent_id: str, tag: str) -> AgentTagItem:
    return data.new(AgentTagItem, AgentTagItem.sk_for(tag, agent_id), agent_id=agent_id, tag=tag)


# --- create and delete: the tier limit -----------------------------------------------------------


def _within_caller_scopes(ctx: TenantContext, scopes: Iterable[str] | None) -> None:
    """An agent registering or changing agents grants no scope it does not hold itself."""
    if ctx.principal.kind is not Caller.AGENT or scopes is None:
        return
    beyond = sorted(set(scopes) - ctx.principal.scopes)
    if beyond:
        raise Forbidden(
            f"An agent cannot grant scopes it does not hold: {' '.join(beyond)}", code="insufficient_scope"
        )


def create(ctx: TenantContext, request: AgentCreate) -> Agent:
    _within_caller_scopes(ctx, request.scopes)
    data = tenant_data(ctx)
    tenant = data.get(TenantItem, TenantItem.SK, missing="No such organisation.", consistent=True)
    limit = tier_limits(tenant.tier).agent_limit
    now = _now()
    agent_id = new_id(AGENT_ID_PREFIX)
    tags = _unique(request.tags)
    item = data.new(
        AgentItem,
        AgentItem.sk_for(agent_id),
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
        audiences=list(dict.fromkeys(request.audiences)),
        skills=[skill.model_dump() for skill in request.skills],
        interfaces=[interface.model_dump() for interface in request.interfaces],
        agent_version=request.version,
        created_by=data.actor,
        gsi1pk=team_index_key(ctx.tenant_id, request.team) if request.team else None,
        gsi1sk=f"{now.isoformat()}#{agent_id}" if request.team else None,
        gsi2pk=status_index_key(ctx.tenant_id, ACTIVE),
        gsi2sk=f"{now.isoformat()}#{agent_id}",
    )

    def steps(tx: Transaction) -> None:
        tx.update(
            data.ref(TenantItem, TenantItem.SK),
            [TenantItem.agent_count.add(1)],
            TenantItem.pk.exists()
            & (TenantItem.agent_count.does_not_exist() | (TenantItem.agent_count < limit)),
            name="limit",
        )
        tx.put(item, AgentItem.pk.does_not_exist(), name="agent")
        for tag in tags:
            tx.put(_tag_item(data, agent_id, tag))

    try:
        data.record(
            lambda: data.transact(steps, attempts=_MAX_ATTEMPTS, busy_message=_BUSY),
            action="agent.created",
            target=f"agent:{agent_id}",
            details={"name": request.name, "team": request.team, "scopes": sorted(request.scopes)},
        )
    except ConditionFailed as failed:
        if "limit" in failed.failed:
            raise Forbidden(
                f"The {tenant.tier} tier allows {limit} agents; delete one or upgrade.", code="tier_limit"
            ) from None
        raise
    return to_schema(item)


def delete(ctx: TenantContext, agent_id: str) -> None:
    data = tenant_data(ctx)
    item = get_item(ctx, agent_id)

    def steps(tx: Transaction) -> None:
        tx.delete(item, AgentItem.pk.exists(), name="agent")
        tx.update(
            data.ref(TenantItem, TenantItem.SK), [TenantItem.agent_count.add(-1)], TenantItem.agent_count > 0
        )
        for tag in _tags(item):
            tx.delete(_tag_item(data, agent_id, tag))
        if item.published:
            tx.delete(MarketplaceEntryItem(MarketplaceEntryItem.PK, MarketplaceEntryItem.sk_for(agent_id)))

    try:
        data.record(
            lambda: data.transact(steps),
            action="agent.deleted",
            target=f"agent:{agent_id}",
            details={"name": item.name},
        )
    except ConditionFailed as failed:
        if "agent" in failed.failed:
            raise NotFound(_MISSING) from None
        raise


# --- change ---------------------------------------------------------------------------------------


def update(ctx: TenantContext, agent_id: str, request: AgentUpdate) -> Agent:
    _within_caller_scopes(ctx, request.scopes)
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
    card_fields = {
        "audiences": ("audiences", lambda v: list(dict.fromkeys(v))),
        "skills": ("skills", lambda v: [skill.model_dump() for skill in v]),
        "interfaces": ("interfaces", lambda v: [interface.model_dump() for interface in v]),
        "version": ("agent_version", lambda v: v),
    }
    for name, (attribute_name, stored) in card_fields.items():
        value = getattr(request, name)
        if name in fields and value is not None and stored(value) != getattr(item, attribute_name):
            changes[name] = {"from": getattr(item, attribute_name), "to": stored(value)}
            actions.append(getattr(AgentItem, attribute_name).set(stored(value)))
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
    data = tenant_data(ctx)

    def steps(tx: Transaction) -> None:
        tx.update(item, actions, AgentItem.version == item.version, name="agent")
        for tag in set(old_tags) - set(new_tags):
            tx.delete(_tag_item(data, agent_id, tag))
        for tag in set(new_tags) - set(old_tags):
            tx.put(_tag_item(data, agent_id, tag))

    try:
        data.record(
            lambda: data.transact(steps), action="agent.updated", target=f"agent:{agent_id}", details=changes
        )
    except ConditionFailed as failed:
        if "agent" in failed.failed:
            raise Conflict("The agent changed meanwhile; read it and try again.", code="conflict") from None
        raise
    if item.published:
        from agentgate.services import marketplace

        marketplace.refresh_entry(ctx, agent_id)
    return get(ctx, agent_id)


# --- pause and resume -----------------------------------------------------------------------------


def _set_status(data: TenantData, agent_id: str, *, to: str, reason: str | None) -> AgentItem:
    """Move one agent from the other status to ``to``; ``ConditionFailed`` when missing or already there."""
    actions: list[Any] = [
        AgentItem.status.set(to),
        AgentItem.gsi2pk.set(status_index_key(data.tenant_id, to)),
        AgentItem.updated_at.set(_now()),
        AgentItem.version.add(1),
        AgentItem.paused_reason.set(reason) if reason else AgentItem.paused_reason.remove(),
    ]
    item = data.ref(AgentItem, AgentItem.sk_for(agent_id))
    return data.update(item, actions, AgentItem.pk.exists() & (AgentItem.status != to))


def _switch_agents(
    tenant_id: str, agent_ids: list[str], *, actor: str, to: str, reason: str | None
) -> list[str]:
    """Move each agent to ``to`` with its audit entry and ``agent.paused`` / ``agent.resumed`` event;
    those missing or already there are skipped. Returns the ids moved."""
    data = system_data(tenant_id, actor)
    action = "agent.paused" if to == PAUSED else "agent.resumed"
    moved = []
    for agent_id in _unique(agent_ids):
        event_data = {"agent_id": agent_id, "actor": actor} | ({"reason": reason} if reason else {})
        try:
            data.record(
                partial(_set_status, data, agent_id, to=to, reason=reason),
                action=action,
                target=f"agent:{agent_id}",
                details={"reason": reason} if reason else None,
                event=action,
                event_data=event_data,
            )
        except ConditionFailed:
            continue
        moved.append(agent_id)
    if moved:  # tokens in use: API Gateway's cached answers would outlive the change by its TTL
        flush_authorizer_cache(f"{len(moved)} agent(s) of {tenant_id} {to} by {actor}")
    return moved


def pause_agents(tenant_id: str, agent_ids: list[str], *, actor: str, reason: str) -> list[str]:
    """Pause the tenant's agents (those missing or already paused are skipped); returns the ids paused."""
    return _switch_agents(tenant_id, agent_ids, actor=actor, to=PAUSED, reason=reason)


def resume_agents(tenant_id: str, agent_ids: list[str], *, actor: str) -> list[str]:
    """Resume the tenant's paused agents; returns the ids resumed."""
    return _switch_agents(tenant_id, agent_ids, actor=actor, to=ACTIVE, reason=None)


def pause(ctx: TenantContext, agent_id: str, reason: str) -> Agent:
    get_item(ctx, agent_id)
    pause_agents(ctx.tenant_id, [agent_id], actor=tenant_data(ctx).actor, reason=reason)
    return get(ctx, agent_id)


def resume(ctx: TenantContext, agent_id: str) -> Agent:
    get_item(ctx, agent_id)
    resume_agents(ctx.tenant_id, [agent_id], actor=tenant_data(ctx).actor)
    return get(ctx, agent_id)


# --- listing --------------------------------------------------------------------------------------


def _matches(item: AgentItem, query: AgentQuery) -> bool:
    return (query.status is None or item.status == query.status) and (
        query.team is None or item.team == query.team
    )


def _list_by_tag(ctx: TenantContext, query: AgentQuery, tag: str) -> AgentPage:
    data = tenant_data(ctx)
    links = data.page(
        AgentTagItem, sk_prefix=AgentTagItem.prefix_for(tag), limit=query.limit, cursor=query.cursor
    )
    ids = [link.agent_id for link in links.items]
    found = {a.agent_id: a for a in data.batch_get(AgentItem, [AgentItem.sk_for(i) for i in ids])}
    items = [to_schema(found[i]) for i in ids if i in found and _matches(found[i], query)]
    return AgentPage(items=items, next_cursor=links.next_cursor)


def list_agents(ctx: TenantContext, query: AgentQuery) -> AgentPage:
    """One query per page: by tag, by team (gsi1), by status (gsi2) or all; the other filters apply on top."""
    if query.tag:
        return _list_by_tag(ctx, query, query.tag)
    data = tenant_data(ctx)
    page: ItemPage[AgentItem]
    if query.team:
        page = data.page(
            AgentItem,
            index="gsi1",
            index_key=team_index_key(ctx.tenant_id, query.team),
            filter=(AgentItem.status == query.status) if query.status else None,
            limit=query.limit,
            cursor=query.cursor,
        )
    elif query.status:
        key = status_index_key(ctx.tenant_id, query.status)
        page = data.page(AgentItem, index="gsi2", index_key=key, limit=query.limit, cursor=query.cursor)
    else:
        page = data.page(AgentItem, sk_prefix=AgentItem.SK_PREFIX, limit=query.limit, cursor=query.cursor)
    return AgentPage(items=[to_schema(item) for item in page.items], next_cursor=page.next_cursor)

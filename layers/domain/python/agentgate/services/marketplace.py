"""Publishing agents, and what the public may read of published ones: marketplace, cards, DIDs.

Publishing writes the agent's ``published`` flag and its ``MarketplaceEntryItem`` in one
transaction; the entry holds only the card's content (name, description, version, tags, skills,
interfaces, organization), so the public routes read nothing private. A card that A2A would refuse
(no skill, no interface) cannot be published. An unpublished agent's card is shown to its tenant's
people and API keys only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from agentgate.data.lookups import find_global, put_global
from agentgate.data.queries import page as query_page
from agentgate.data.tenant import tenant_data
from agentgate.models import AgentItem, MarketplaceEntryItem, TenantItem
from agentgate.platform.errors import Forbidden, NotFound, Unauthorized, Unprocessable
from agentgate.platform.tenancy import ADMIN_SCOPE, Caller, TenantContext
from agentgate.schemas.agents import Agent
from agentgate.schemas.marketplace import MarketplaceAgent, MarketplacePage, MarketplaceQuery
from agentgate.services import cards

_NOT_PUBLISHED = "No such published agent."


def _search_text(item: AgentItem) -> str:
    skills = " ".join(
        f"{s['id']} {s['name']} {s['description']} {' '.join(s.get('tags') or [])}" for s in item.skills or []
    )
    return " ".join((item.name, item.description or "", skills)).lower()


def _entry(item: AgentItem, organization: str, published_at: datetime) -> MarketplaceEntryItem:
    tags = [str(tag) for tag in item.tags or []]
    return MarketplaceEntryItem(
        MarketplaceEntryItem.PK,
        MarketplaceEntryItem.sk_for(item.agent_id),
        tenant_id=item.tenant_id,
        agent_id=item.agent_id,
        organization=organization,
        name=item.name,
        description=item.description or "",
        agent_version=item.agent_version or "1.0.0",
        tags=tags,
        skills=list(item.skills or []),
        interfaces=list(item.interfaces or []),
        search=_search_text(item),
        tags_text=f" {' '.join(tags)} ",
        published_at=published_at,
    )


def _organization(ctx: TenantContext) -> str:
    tenant = tenant_data(ctx).find(TenantItem, TenantItem.SK)
    return tenant.name if tenant is not None else ""


def publish(ctx: TenantContext, agent_id: str) -> Agent:
    from agentgate.services import agents

    data = tenant_data(ctx)
    item = data.get(AgentItem, AgentItem.sk_for(agent_id), missing="No such agent.", consistent=True)
    organization = _organization(ctx)
    problems = cards.card_problems(cards.build_card(item, organization))
    if problems:
        raise Unprocessable(
            "The agent's A2A card would not be valid: " + "; ".join(problems) + ".",
            code="card_invalid",
            details=[{"field": p.split(" ", 1)[0], "issue": "required", "message": p} for p in problems],
        )
    now = datetime.now(UTC)
    entry = _entry(item, organization, item.published_at or now)

    def steps(tx: Any) -> None:
        tx.update(
            item,
            [
                AgentItem.published.set(True),
                AgentItem.published_at.set(entry.published_at),
                AgentItem.version.add(1),
            ],
            AgentItem.version == item.version,
            name="agent",
        )
        tx.put(entry, name="entry")

    data.record(
        lambda: data.transact(steps),
        action="agent.published",
        target=f"agent:{agent_id}",
        details={"card_url": cards.card_url(agent_id), "did": cards.did_for(ctx.tenant_id, agent_id)},
    )
    return agents.get(ctx, agent_id)


def unpublish(ctx: TenantContext, agent_id: str) -> Agent:
    from agentgate.services import agents

    data = tenant_data(ctx)
    item = data.get(AgentItem, AgentItem.sk_for(agent_id), missing="No such agent.", consistent=True)

    def steps(tx: Any) -> None:
        tx.update(
            item,
            [AgentItem.published.set(False), AgentItem.published_at.remove(), AgentItem.version.add(1)],
            AgentItem.version == item.version,
            name="agent",
        )
        tx.delete(
            MarketplaceEntryItem(MarketplaceEntryItem.PK, MarketplaceEntryItem.sk_for(agent_id)), name="entry"
        )

    data.record(lambda: data.transact(steps), action="agent.unpublished", target=f"agent:{agent_id}")
    return agents.get(ctx, agent_id)


def refresh_entry(ctx: TenantContext, agent_id: str) -> None:
    """After a change to a published agent: its public entry shows the change."""
    item = tenant_data(ctx).find(AgentItem, AgentItem.sk_for(agent_id), consistent=True)
    if item is not None and item.published:
        put_global(_entry(item, _organization(ctx), item.published_at or datetime.now(UTC)))


# --- what the public reads ---------------------------------------------------------------------------


def public_view(entry: MarketplaceEntryItem) -> MarketplaceAgent:
    return MarketplaceAgent(
        tenant_id=entry.tenant_id,
        agent_id=entry.agent_id,
        organization=entry.organization or "",
        name=entry.name,
        description=entry.description or "",
        version=entry.agent_version or "1.0.0",
        tags=[str(tag) for tag in entry.tags or []],
        skills=list(entry.skills or []),
        card_url=cards.card_url(entry.agent_id),
        did=cards.did_for(entry.tenant_id, entry.agent_id),
        did_document_url=cards.did_url(entry.tenant_id, entry.agent_id),
        published_at=entry.published_at,
    )


def published_entry(agent_id: str, tenant_id: str | None = None) -> MarketplaceEntryItem | None:
    entry = find_global(MarketplaceEntryItem, MarketplaceEntryItem.PK, MarketplaceEntryItem.sk_for(agent_id))
    if entry is None or (tenant_id is not None and entry.tenant_id != tenant_id):
        return None
    return entry


def list_published(query: MarketplaceQuery) -> MarketplacePage:
    condition = None
    if query.q:
        condition = MarketplaceEntryItem.search.contains(query.q.lower())
    if query.tag:
        by_tag = MarketplaceEntryItem.tags_text.contains(f" {query.tag} ")
        condition = by_tag if condition is None else condition & by_tag
    page = query_page(
        MarketplaceEntryItem,
        MarketplaceEntryItem.PK,
        sk_prefix=AgentItem.SK_PREFIX,
        filter=condition,
        limit=query.limit,
        cursor=query.cursor,
    )
    return MarketplacePage(items=[public_view(e) for e in page.items], next_cursor=page.next_cursor)


def get_published(tenant_id: str, agent_id: str) -> MarketplaceAgent:
    entry = published_entry(agent_id, tenant_id)
    if entry is None:
        raise NotFound(_NOT_PUBLISHED)
    return public_view(entry)


def did_document(tenant_id: str, agent_id: str) -> dict[str, Any]:
    if published_entry(agent_id, tenant_id) is None:
        raise NotFound(_NOT_PUBLISHED)
    return cards.did_document(tenant_id, agent_id)


def _reader(authorization: str | None) -> TenantContext | None:
    """The tenant's person or API key (agents:read) behind ``Authorization``, for an unpublished card."""
    if not authorization:
        return None
    from agentgate.services.authorizer import Unauthenticated, decide

    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Credentials are missing or invalid.")
    try:
        decision = decide(token.strip())
    except Unauthenticated:
        raise Unauthorized("Credentials are missing or invalid.") from None
    principal = decision.ctx.principal
    if principal.kind is Caller.APIKEY and not principal.scopes & {ADMIN_SCOPE, "agents:read"}:
        raise Forbidden("Missing scope: agents:read", code="insufficient_scope")
    if principal.kind not in {Caller.USER, Caller.APIKEY}:
        raise Forbidden(
            "An unpublished agent's card is for its organisation's people.", code="caller_not_allowed"
        )
    return decision.ctx


def card(agent_id: str, authorization: str | None) -> dict[str, Any]:
    """A published agent's card for anyone; an unpublished one's for its own tenant only."""
    entry = published_entry(agent_id)
    if entry is not None:
        return cards.build_card(entry, entry.organization or "")
    ctx = _reader(authorization)
    if ctx is None:
        raise NotFound("No such agent.")
    item = tenant_data(ctx).get(AgentItem, AgentItem.sk_for(agent_id), missing="No such agent.")
    return cards.build_card(item, _organization(ctx))

"""The runs browser and the dashboards: every read is a Query on the table or a GSI, never a scan.

Runs are listed newest first through gsi1 (the tenant's runs by start time) or gsi2 (one
agent's runs); status, team and minimum cost filter the query. Runs past their tier's
retention are filtered out here too, because TTL deletion is not immediate (and the
emulator never deletes). KPIs come from the daily counters the consumer keeps.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from pynamodb.expressions.condition import Condition

from agentgate.data.pages import listing_page
from agentgate.data.tenant import tenant_data
from agentgate.models import AgentItem, CostDayItem, RunEventItem, RunItem
from agentgate.platform.errors import NotFound
from agentgate.platform.tenancy import TenantContext
from agentgate.schemas.analytics import AgentCost, AgentDashboard, DashboardHome, RunKpis
from agentgate.schemas.common import PageQuery
from agentgate.schemas.runs import (
    Run,
    RunEvent,
    RunEventPage,
    RunPage,
    RunQuery,
    TokenUsageOut,
)
from agentgate.services import costs
from agentgate.services import run_events as embedded_events

_TIME = "%Y-%m-%dT%H:%M:%S.%f+0000"  # the run order key's time format (see services.runs)
TOP_AGENTS = 5
RECENT_RUNS = 10


def _breakdown(item: RunItem) -> dict[str, Decimal] | None:
    return {k: Decimal(v) for k, v in item.cost_breakdown.items()} if item.cost_breakdown else None


def run_out(item: RunItem) -> Run:
    return Run(
        id=item.run_id,
        run_id=item.run_id,
        agent_id=item.agent_id,
        team=item.team,
        status=item.status,
        start_time=item.start_time,
        end_time=item.end_time,
        latency_ms=int(item.latency_ms) if item.latency_ms is not None else None,
        model=item.model,
        provider=item.provider,
        token_usage=TokenUsageOut(
            input=int(item.input_tokens),
            output=int(item.output_tokens),
            cache_read=int(item.cache_read_tokens),
            cache_write=int(item.cache_write_tokens),
            cache_write_1h=int(item.cache_write_1h_tokens or 0),
        ),
        cost_usd=item.cost_usd,
        unpriced=bool(item.unpriced),
        price_version=item.price_version,
        cost_breakdown=_breakdown(item),
        input=item.input,
        output=item.output,
        external_reference=item.external_reference,
        policy_decisions=item.policy_decisions or [],
        event_count=int(item.event_count),
        received_at=item.received_at,
    )


def live() -> Condition:
    """Not past retention: TTL deletes late, so reads filter expired items themselves."""
    return RunItem.expires_at.does_not_exist() | (RunItem.expires_at > datetime.now(UTC))


def _expired(item: RunItem) -> bool:
    return item.expires_at is not None and item.expires_at <= datetime.now(UTC)


def runs_index(ctx: TenantContext, agent_id: str | None) -> tuple[str, str]:
    """The index and partition listing the tenant's runs (or one agent's), newest first by start time."""
    if agent_id:
        return "gsi2", RunItem.agent_runs_key(ctx.tenant_id, agent_id)
    return "gsi1", RunItem.tenant_runs_key(ctx.tenant_id)


def run_order_bounds(start: datetime | None, end: datetime | None) -> tuple[str | None, str | None]:
    """The run order keys (``<start time>#<run id>``) from ``start`` to ``end``, both included."""
    low = start.astimezone(UTC).strftime(_TIME) if start else None
    high = end.astimezone(UTC).strftime(_TIME) + "#~" if end else None
    return low, high


def list_runs(ctx: TenantContext, query: RunQuery) -> RunPage:
    index, key = runs_index(ctx, query.agent_id)
    low, high = run_order_bounds(query.from_, query.to)
    condition = live()
    if query.status:
        condition &= RunItem.status == query.status
    if query.team:
        condition &= RunItem.team == query.team
    if query.min_cost is not None:
        condition &= RunItem.cost_usd >= query.min_cost
    page = tenant_data(ctx).page(
        RunItem,
        index=index,
        index_key=key,
        sk_from=low,
        sk_to=high,
        filter=condition,
        newest_first=True,
        limit=query.limit,
        cursor=query.cursor,
    )
    return RunPage(items=[run_out(item) for item in page.items], next_cursor=page.next_cursor)


def _load_run(ctx: TenantContext, run_id: str) -> RunItem:
    item = tenant_data(ctx).get(RunItem, RunItem.sk_for(run_id), missing=f"No run {run_id}.")
    if _expired(item):
        raise NotFound(f"No run {run_id}.")
    return item


def get_run(ctx: TenantContext, run_id: str) -> Run:
    return run_out(_load_run(ctx, run_id))


def run_events(ctx: TenantContext, run_id: str, query: PageQuery) -> RunEventPage:
    run = _load_run(ctx, run_id)
    if run.events is None and run.event_count:  # stored before events were embedded in the run
        page = tenant_data(ctx).page(
            RunEventItem, sk_prefix=RunEventItem.prefix_for(run_id), limit=query.limit, cursor=query.cursor
        )
        items = [
            RunEvent(
                event_id=e.event_id, seq=int(e.seq), type=e.type, timestamp=e.timestamp, payload=e.payload
            )
            for e in page.items
        ]
        return RunEventPage(run_id=run_id, items=items, next_cursor=page.next_cursor)
    embedded = listing_page(
        embedded_events.decode(run.events),
        key=lambda e: f"{int(e['seq']):08d}",
        listing=f"events:{ctx.tenant_id}:{run_id}",
        limit=query.limit,
        cursor=query.cursor,
    )
    return RunEventPage(
        run_id=run_id, items=[RunEvent(**e) for e in embedded.items], next_cursor=embedded.next_cursor
    )


# --- dashboards -------------------------------------------------------------------------------------


def _kpis(days: dict[Any, CostDayItem]) -> RunKpis:
    today = costs.today()
    week = costs.totals(days, today - timedelta(days=6), today)
    month = costs.totals(days, today - timedelta(days=29), today)
    day = costs.totals(days, today, today)
    return RunKpis(
        runs_today=day.runs,
        runs_7d=week.runs,
        errors_7d=week.errors,
        error_rate_7d=round(week.errors / week.runs, 4) if week.runs else 0.0,
        latency_p50_ms=week.percentile(0.50),
        latency_p95_ms=week.percentile(0.95),
        cost_today_usd=day.cost_usd,
        cost_7d_usd=week.cost_usd,
        cost_30d_usd=month.cost_usd,
        unpriced_runs_30d=month.unpriced_runs,
    )


def top_agents(ctx: TenantContext, days: int = 7) -> list[AgentCost]:
    """Agents by cost over the last ``days`` days: one Query per day on the day's agent counters."""
    today = costs.today()
    sums: dict[str, tuple[Decimal, int]] = {}
    data = tenant_data(ctx)
    for offset in range(days):
        day = (today - timedelta(days=offset)).isoformat()
        for item in data.query(
            CostDayItem, index="gsi1", index_key=CostDayItem.day_index_key(ctx.tenant_id, day, "agent")
        ):
            cost, runs = sums.get(item.scope_id or "", (Decimal(0), 0))
            sums[item.scope_id or ""] = (cost + (item.cost_usd or Decimal(0)), runs + int(item.runs or 0))
    ranked = sorted(sums.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))[:TOP_AGENTS]
    return [AgentCost(agent_id=agent, cost_usd=cost, runs=runs) for agent, (cost, runs) in ranked]


def home(ctx: TenantContext) -> DashboardHome:
    today = costs.today()
    start = today - timedelta(days=29)
    days = costs.counters(ctx.tenant_id, "org", costs.ORG, start, today)
    return DashboardHome(
        kpis=_kpis(days), top_agents=top_agents(ctx), by_day=costs.by_day(days, start, today)
    )


def agent(ctx: TenantContext, agent_id: str) -> AgentDashboard:
    data = tenant_data(ctx)
    registered = data.get(AgentItem, AgentItem.sk_for(agent_id), missing=f"No agent {agent_id}.")
    today = costs.today()
    start = today - timedelta(days=29)
    days = costs.counters(ctx.tenant_id, "agent", agent_id, start, today)
    recent = data.query(
        RunItem,
        index="gsi2",
        index_key=RunItem.agent_runs_key(ctx.tenant_id, agent_id),
        filter=live(),
        newest_first=True,
        limit=RECENT_RUNS,
    )
    return AgentDashboard(
        agent_id=agent_id,
        name=registered.name,
        status=registered.status,
        team=registered.team,
        kpis=_kpis(days),
        by_day=costs.by_day(days, start, today),
        recent_runs=[run_out(item) for item in recent],
    )

"""Cost by organization, agent and team, by day: read from the daily counters, one Query each."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from agentgate.data.tenant import system_data, tenant_data
from agentgate.models import LATENCY_BUCKETS_MS, AgentItem, CostDayItem, PriceOverrideItem
from agentgate.platform.errors import NotFound
from agentgate.platform.tenancy import TenantContext
from agentgate.schemas.costs import (
    CostDay,
    CostQuery,
    CostReport,
    PriceOverride,
    PriceOverrideIn,
    PriceOverrideList,
)

ORG = "-"  # the org counter's scope id


@dataclass
class DayTotals:
    """A run of days' counters added up."""

    cost_usd: Decimal = Decimal(0)
    runs: int = 0
    unpriced_runs: int = 0
    errors: int = 0
    latency: list[int] = field(default_factory=lambda: [0] * (len(LATENCY_BUCKETS_MS) + 1))

    def add(self, item: CostDayItem) -> None:
        self.cost_usd += item.cost_usd or Decimal(0)
        self.runs += int(item.runs or 0)
        self.unpriced_runs += int(item.unpriced_runs or 0)
        self.errors += int(item.errors or 0)
        self.latency = [a + b for a, b in zip(self.latency, item.latency_histogram(), strict=True)]

    def percentile(self, fraction: float) -> int | None:
        """The upper bound of the histogram bucket holding the given fraction of runs."""
        total = sum(self.latency)
        if not total:
            return None
        rank = fraction * total
        seen = 0
        for index, count in enumerate(self.latency):
            seen += count
            if seen >= rank:
                return LATENCY_BUCKETS_MS[min(index, len(LATENCY_BUCKETS_MS) - 1)]
        return LATENCY_BUCKETS_MS[-1]


def days_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def counters(tenant_id: str, scope: str, scope_id: str, start: date, end: date) -> dict[date, CostDayItem]:
    found = system_data(tenant_id).query(
        CostDayItem,
        sk_between=(
            CostDayItem.sk_for(scope, scope_id, start.isoformat()),
            CostDayItem.sk_for(scope, scope_id, end.isoformat()),
        ),
    )
    return {date.fromisoformat(item.day or item.sk.rsplit("#", 1)[-1]): item for item in found}


def totals(days: dict[date, CostDayItem], start: date, end: date) -> DayTotals:
    out = DayTotals()
    for day, item in days.items():
        if start <= day <= end:
            out.add(item)
    return out


def by_day(days: dict[date, CostDayItem], start: date, end: date) -> list[CostDay]:
    rows = []
    for day in days_between(start, end):
        item = days.get(day)
        rows.append(
            CostDay(
                date=day,
                cost_usd=item.cost_usd if item else Decimal(0),
                runs=int(item.runs) if item else 0,
                unpriced_runs=int(item.unpriced_runs) if item else 0,
            )
        )
    return rows


def _report(ctx: TenantContext, scope: str, scope_id: str, query: CostQuery) -> CostReport:
    start, end = query.bounds()
    days = counters(ctx.tenant_id, scope, scope_id, start, end)
    sums = totals(days, start, end)
    return CostReport(
        scope=scope,  # type: ignore[arg-type]
        scope_id=None if scope == "org" else scope_id,
        period_start=start,
        period_end=end,
        total_cost_usd=sums.cost_usd,
        runs=sums.runs,
        unpriced_runs=sums.unpriced_runs,
        by_day=by_day(days, start, end),
    )


def _has_counters(tenant_id: str, scope: str, scope_id: str) -> bool:
    found = system_data(tenant_id).query(
        CostDayItem, sk_prefix=CostDayItem.prefix_for(scope, scope_id), limit=1
    )
    return next(iter(found), None) is not None


def org_costs(ctx: TenantContext, query: CostQuery) -> CostReport:
    return _report(ctx, "org", ORG, query)


def agent_costs(ctx: TenantContext, agent_id: str, query: CostQuery) -> CostReport:
    """404 unless the agent is this tenant's (or was, and has costs here)."""
    registered = tenant_data(ctx).find(AgentItem, AgentItem.sk_for(agent_id))
    if registered is None and not _has_counters(ctx.tenant_id, "agent", agent_id):
        raise NotFound(f"No agent {agent_id}.")
    return _report(ctx, "agent", agent_id, query)


def team_costs(ctx: TenantContext, team: str, query: CostQuery) -> CostReport:
    """404 for a team that never ran anything in this tenant."""
    if not _has_counters(ctx.tenant_id, "team", team):
        raise NotFound(f"No team {team} with runs.")
    return _report(ctx, "team", team, query)


def today() -> date:
    return datetime.now(UTC).date()


# --- a tenant's negotiated prices (read by the runs consumer, see services.runs) -----------------------


def _override_out(item: PriceOverrideItem) -> PriceOverride:
    return PriceOverride(
        provider=item.provider,
        model_pattern=item.model_pattern,
        effective_from=date.fromisoformat(item.effective_from),
        input_per_million=item.input_per_million,
        output_per_million=item.output_per_million,
        cache_read_per_million=item.cache_read_per_million,
        cache_write_per_million=item.cache_write_per_million,
        label=item.label,
        price_version=f"tenant:{item.label}",
    )


def set_price_override(ctx: TenantContext, request: PriceOverrideIn) -> PriceOverride:
    """Create or replace the tenant's price for (provider, model pattern); runs stored later use it."""
    data = tenant_data(ctx)
    item = data.new(
        PriceOverrideItem,
        PriceOverrideItem.sk_for(request.provider, request.model_pattern),
        provider=request.provider,
        model_pattern=request.model_pattern,
        effective_from=request.effective_from.isoformat(),
        input_per_million=request.input_per_million,
        output_per_million=request.output_per_million,
        cache_read_per_million=request.cache_read_per_million,
        cache_write_per_million=request.cache_write_per_million,
        label=request.label,
    )
    data.record(
        lambda: data.put(item),
        action="price_override.set",
        target=f"price:{request.provider}/{request.model_pattern}",
        details=request.model_dump(mode="json"),
    )
    return _override_out(item)


def list_price_overrides(ctx: TenantContext) -> PriceOverrideList:
    found = tenant_data(ctx).query(PriceOverrideItem, sk_prefix=PriceOverrideItem.SK_PREFIX)
    return PriceOverrideList(items=[_override_out(item) for item in found])

"""Analytics: records on the analytics stream, hourly counters, daily rollups, and the analytics routes.

``record`` is called on hot paths (token issuance, the authorizer, /authorize): it is one
PutRecord and never fails its caller; a lost analytics record is logged, not raised.
The consumer counts each record once (a short-lived marker per record id in the same
transaction as the counter). The daily rollup, fired after midnight UTC, folds a day's
hourly counters into one item per tenant; the routes read rollups, and build the days
not rolled up yet (today) from the hourly counters. Everything expires with the tier's
retention, and reads drop expired items themselves.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

from agentgate.data.lookups import put_global, query_global
from agentgate.data.tenant import system_data, tenant_data, tenant_key
from agentgate.models import (
    AgentItem,
    AnalyticsActiveTenantItem,
    AnalyticsDayItem,
    AnalyticsHourItem,
    AnalyticsSeenItem,
    CostDayItem,
    TenantItem,
)
from agentgate.platform.metering import analytics_record, put_analytics_record
from agentgate.platform.tenancy import TenantContext
from agentgate.schemas.analytics import (
    AnalyticsQuery,
    Count,
    Heatmap,
    HeatmapRow,
    Meter,
    QuotaDay,
    QuotaMeter,
    QuotaUsage,
    TierUsage,
    TokenDay,
    TokenTrend,
    UsagePeriod,
)
from agentgate.services import costs
from agentgate.services.runs import PoisonRecord, dead_letter
from agentgate.tiers import tier_limits

Kind = Literal["token_issued", "api_call", "authorization"]
KINDS: frozenset[str] = frozenset({"token_issued", "api_call", "authorization"})
SEEN_TTL = timedelta(days=2)  # longer than any redelivery of a stream record
DECISION_COUNTERS = {"allow": "allowed", "deny": "denied", "pending": "pending"}
NO_AGENT = "-"


class AnalyticsRecord(BaseModel):
    id: str = Field(min_length=1, max_length=64)
    tenant_id: str = Field(min_length=1)
    kind: Kind
    at: AwareDatetime
    dims: dict[str, Any] = Field(default_factory=dict)


def new_record(tenant_id: str, kind: str, **dims: Any) -> dict[str, Any]:
    """An analytics record as the stream carries it (kinds: token_issued, api_call, authorization)."""
    if kind not in KINDS:
        raise ValueError(f"unknown analytics kind {kind!r}")
    return analytics_record(tenant_id, kind, dims)


def record(tenant_id: str, kind: str, **dims: Any) -> None:
    """Put one analytics record on the analytics stream (``analytics_batch`` batches them instead)."""
    if kind not in KINDS:
        raise ValueError(f"unknown analytics kind {kind!r}")
    put_analytics_record(tenant_id, kind, dims)


# --- the consumer ------------------------------------------------------------------------------------


class AnalyticsRecorder:
    """Counts the records of one consumer batch; caches each tenant's tier per batch."""

    def __init__(self) -> None:
        self._tiers: dict[str, str] = {}
        self._active: set[tuple[str, str]] = set()  # (day, tenant) marked in this batch

    def tier(self, tenant_id: str) -> str:
        if tenant_id not in self._tiers:
            tenant = system_data(tenant_id).find(TenantItem, TenantItem.SK)
            self._tiers[tenant_id] = tenant.tier if tenant else "free"
        return self._tiers[tenant_id]

    def process(self, data: str, *, partition_key: str, sequence_number: str) -> str:
        try:
            try:
                raw = base64.b64decode(data, validate=True)
                item = AnalyticsRecord.model_validate_json(raw)
            except (binascii.Error, ValueError) as exc:
                raise PoisonRecord(f"invalid analytics record: {str(exc)[:500]}") from exc
        except PoisonRecord as exc:
            dead_letter(
                "analytics", data, str(exc), partition_key=partition_key, sequence_number=sequence_number
            )
            return "dead_lettered"
        return self.count(item)

    def count(self, item: AnalyticsRecord) -> str:
        at = item.at.astimezone(UTC)
        retention = timedelta(days=tier_limits(self.tier(item.tenant_id)).retention_days)
        expires = int((at + retention).timestamp())
        agent_id = str(item.dims.get("agent_id") or NO_AGENT)
        hour = at.strftime("%Y-%m-%dT%H")
        adds: dict[str, Any] = {"hits": 1}
        decision = DECISION_COUNTERS.get(str(item.dims.get("decision", "")))
        if item.kind == "authorization" and decision:
            adds[decision] = 1
        if item.kind == "api_call" and int(item.dims.get("status") or 0) >= 400:
            adds["errors"] = 1
        data = system_data(item.tenant_id)
        seen = data.new(
            AnalyticsSeenItem, AnalyticsSeenItem.sk_for(item.id), expires_at=datetime.now(UTC) + SEEN_TTL
        )
        sets = {"kind": item.kind, "hour": hour, "agent_id": agent_id, "expires_at": expires}
        if not data.write_counted(seen, [(AnalyticsHourItem.sk_for(hour, item.kind, agent_id), adds, sets)]):
            return "duplicate"
        self._mark_active(item.tenant_id, at.date().isoformat())
        return "counted"

    def _mark_active(self, tenant_id: str, day: str) -> None:
        if (day, tenant_id) in self._active:
            return
        put_global(
            AnalyticsActiveTenantItem(
                AnalyticsActiveTenantItem.pk_for(day),
                tenant_key(tenant_id),
                tenant_id=tenant_id,
                tier=self.tier(tenant_id),
                expires_at=datetime.now(UTC) + timedelta(days=7),
            )
        )
        self._active.add((day, tenant_id))


# --- daily rollups -----------------------------------------------------------------------------------


def summarize_day(tenant_id: str, day: date) -> AnalyticsDayItem:
    """A day's hourly counters folded into one (unsaved) rollup item."""
    data = system_data(tenant_id)
    summary = data.new(
        AnalyticsDayItem, AnalyticsDayItem.sk_for(day.isoformat()), day=day.isoformat(), heatmap={}
    )
    summary.built_at = datetime.now(UTC)
    heatmap: dict[str, list[int]] = {}
    now = datetime.now(UTC)
    for hour in data.query(AnalyticsHourItem, sk_prefix=AnalyticsHourItem.day_prefix(day.isoformat())):
        if hour.expires_at is not None and hour.expires_at <= now:
            continue
        n = int(hour.hits or 0)
        if hour.kind == "token_issued":
            summary.tokens_issued += n
        elif hour.kind == "api_call":
            summary.api_calls += n
            summary.api_errors += int(hour.errors or 0)
        elif hour.kind == "authorization":
            summary.authorizations_allowed += int(hour.allowed or 0)
            summary.authorizations_denied += int(hour.denied or 0)
            summary.authorizations_pending += int(hour.pending or 0)
        if hour.agent_id and hour.agent_id != NO_AGENT and hour.hour:
            row = heatmap.setdefault(hour.agent_id, [0] * 24)
            row[int(hour.hour[-2:])] += n
    summary.heatmap = heatmap
    return summary


def rollup(day: date) -> int:
    """Build the rollup of ``day`` for every tenant active that day; returns how many were built.

    Each tenant's usage also goes to the Stripe meters (services.metering, once per tenant and day);
    a tenant Stripe failed for does not hold back the others, and the timer's retry sends it later.
    """
    from agentgate.platform.errors import DependencyUnavailable
    from agentgate.services import metering

    built, unmetered = 0, []
    for active in query_global(AnalyticsActiveTenantItem, AnalyticsActiveTenantItem.pk_for(day.isoformat())):
        summary = summarize_day(active.tenant_id, day)
        retention = timedelta(days=tier_limits(active.tier).retention_days)
        summary.expires_at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + retention
        system_data(active.tenant_id).put(summary)
        built += 1
        try:
            metering.report_day(active.tenant_id, day, api_calls=int(summary.api_calls))
        except DependencyUnavailable:
            unmetered.append(active.tenant_id)
    if unmetered:
        raise DependencyUnavailable(f"Usage of {len(unmetered)} tenants not sent to Stripe; retry.")
    return built


def day_summaries(tenant_id: str, start: date, end: date) -> dict[date, AnalyticsDayItem]:
    """Rollups for [start, end]; a day without one (today, a missed timer) is built from hourly counters."""
    now = datetime.now(UTC)
    found = {
        date.fromisoformat(item.day): item
        for item in system_data(tenant_id).query(
            AnalyticsDayItem,
            sk_between=(AnalyticsDayItem.sk_for(start.isoformat()), AnalyticsDayItem.sk_for(end.isoformat())),
        )
        if item.expires_at is None or item.expires_at > now
    }
    for day in costs.days_between(start, end):
        if day not in found:
            found[day] = summarize_day(tenant_id, day)
    return found


def _window(query: AnalyticsQuery, default: int) -> tuple[int, date, date]:
    days = query.days or default
    end = costs.today()
    return days, end - timedelta(days=days - 1), end


def token_trend(ctx: TenantContext, query: AnalyticsQuery) -> TokenTrend:
    days, start, end = _window(query, 30)
    summaries = day_summaries(ctx.tenant_id, start, end)
    rows = [
        TokenDay(date=d, tokens_issued=int(summaries[d].tokens_issued))
        for d in costs.days_between(start, end)
    ]
    return TokenTrend(days=days, total=sum(r.tokens_issued for r in rows), by_day=rows)


def heatmap(ctx: TenantContext, query: AnalyticsQuery) -> Heatmap:
    days, start, end = _window(query, 7)
    grid: dict[str, list[int]] = {}
    for summary in day_summaries(ctx.tenant_id, start, end).values():
        for agent_id, hours in (summary.heatmap or {}).items():
            row = grid.setdefault(agent_id, [0] * 24)
            for hour, n in enumerate(hours):
                row[hour] += int(n)
    rows = [HeatmapRow(agent_id=a, hours=h, total=sum(h)) for a, h in grid.items()]
    rows.sort(key=lambda r: (-r.total, r.agent_id))
    return Heatmap(days=days, agents=rows)


def _quota_day(day: date, summary: AnalyticsDayItem, quota: int) -> QuotaDay:
    calls = int(summary.api_calls)
    return QuotaDay(
        date=day,
        api_calls=calls,
        api_errors=int(summary.api_errors),
        quota=quota,
        percent_of_quota=round(100 * calls / quota, 2) if quota else 0.0,
    )


def quota_usage(ctx: TenantContext, query: AnalyticsQuery) -> QuotaUsage:
    _, start, end = _window(query, 30)
    quota = tier_limits(ctx.tier).daily_quota
    summaries = day_summaries(ctx.tenant_id, start, end)
    rows = [_quota_day(d, summaries[d], quota) for d in costs.days_between(start, end)]
    return QuotaUsage(tier=tier_limits(ctx.tier).name, daily_quota=quota, today=rows[-1], by_day=rows)


def tier_usage(ctx: TenantContext) -> TierUsage:
    limits = tier_limits(ctx.tier)
    today = costs.today()
    agents = tenant_data(ctx).count(AgentItem, sk_prefix=AgentItem.SK_PREFIX)
    summary = summarize_day(ctx.tenant_id, today)
    org_today = costs.counters(ctx.tenant_id, "org", costs.ORG, today, today).get(today)
    start = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    return TierUsage(
        tier=limits.name,
        period=UsagePeriod(start=start, end=start + timedelta(days=1)),
        api_calls=QuotaMeter(used=int(summary.api_calls), quota=limits.daily_quota),
        token_issuances=Count(used=int(summary.tokens_issued)),
        runs=Count(used=int(org_today.runs) if isinstance(org_today, CostDayItem) else 0),
        agents=Meter(used=agents, limit=limits.agent_limit),
        retention_days=limits.retention_days,
    )

"""Dashboards, analytics and usage: what the portal's charts read."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from agentgate.schemas.common import Money, RequestModel, ResponseModel
from agentgate.schemas.costs import CostDay
from agentgate.schemas.runs import Run


class AgentCost(ResponseModel):
    agent_id: str
    cost_usd: Money
    runs: int


class RunKpis(ResponseModel):
    """Runs, error rate and latency over the last 7 days; cost today, over 7 and 30 days."""

    runs_today: int
    runs_7d: int
    errors_7d: int
    error_rate_7d: float
    latency_p50_ms: int | None
    latency_p95_ms: int | None
    cost_today_usd: Money
    cost_7d_usd: Money
    cost_30d_usd: Money
    unpriced_runs_30d: int


class DashboardHome(ResponseModel):
    kpis: RunKpis
    top_agents: list[AgentCost]
    by_day: list[CostDay]


class AgentDashboard(ResponseModel):
    agent_id: str
    name: str
    status: str
    team: str | None
    kpis: RunKpis
    by_day: list[CostDay]
    recent_runs: list[Run]


class AnalyticsQuery(RequestModel):
    """``days``: how many days back, today included (each route has its default)."""

    days: int | None = Field(default=None, ge=1, le=90)


class TokenDay(ResponseModel):
    date: date
    tokens_issued: int


class TokenTrend(ResponseModel):
    days: int
    total: int
    by_day: list[TokenDay]


class HeatmapRow(ResponseModel):
    agent_id: str
    hours: list[int]  # 24 counts, UTC hour of day
    total: int


class Heatmap(ResponseModel):
    days: int
    agents: list[HeatmapRow]


class QuotaDay(ResponseModel):
    date: date
    api_calls: int
    api_errors: int
    quota: int
    percent_of_quota: float


class QuotaUsage(ResponseModel):
    tier: str
    daily_quota: int
    today: QuotaDay
    by_day: list[QuotaDay]


class Meter(ResponseModel):
    used: int
    limit: int


class UsagePeriod(ResponseModel):
    start: datetime
    end: datetime


class QuotaMeter(ResponseModel):
    used: int
    quota: int


class Count(ResponseModel):
    used: int


class TierUsage(ResponseModel):
    """What the tenant really used today (UTC): API calls against the tier's quota, tokens, runs, agents."""

    tier: str
    period: UsagePeriod
    api_calls: QuotaMeter
    token_issuances: Count
    runs: Count
    agents: Meter
    retention_days: int

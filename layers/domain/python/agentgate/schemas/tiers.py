from __future__ import annotations

from agentgate.schemas.common import Money, ResponseModel


class Tier(ResponseModel):
    name: str
    agent_limit: int
    rate_per_second: float
    burst: int
    daily_quota: int
    retention_days: int
    price_usd_month: Money


class TierList(ResponseModel):
    items: list[Tier]

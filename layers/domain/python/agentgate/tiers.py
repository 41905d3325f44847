"""The tier table: defined once, read by CDK (usage plans), the local gateway and the code."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class TierLimits:
    name: str
    agent_limit: int
    rate_per_second: float  # API Gateway throttle: steady rate
    burst: int  # API Gateway throttle: bucket size
    daily_quota: int  # API calls a day, per tenant
    retention_days: int  # runs, events and raw analytics
    price_usd_month: Decimal

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["price_usd_month"] = str(self.price_usd_month)
        return data


FREE = TierLimits(
    "free",
    agent_limit=10,
    rate_per_second=5,
    burst=10,
    daily_quota=1_000,
    retention_days=7,
    price_usd_month=Decimal("0.00"),
)
PRO = TierLimits(
    "pro",
    agent_limit=100,
    rate_per_second=50,
    burst=100,
    daily_quota=10_000,
    retention_days=90,
    price_usd_month=Decimal("49.00"),
)
ENTERPRISE = TierLimits(
    "enterprise",
    agent_limit=1_000,
    rate_per_second=500,
    burst=1_000,
    daily_quota=100_000,
    retention_days=365,
    price_usd_month=Decimal("499.00"),
)

TIERS: dict[str, TierLimits] = {tier.name: tier for tier in (FREE, PRO, ENTERPRISE)}
DEFAULT_TIER = FREE.name
TIER_ORDER = ("free", "pro", "enterprise")


def tier_limits(name: str) -> TierLimits:
    return TIERS.get(name, FREE)

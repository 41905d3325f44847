"""Usage plans as API Gateway applies them: a token bucket per key (rate, burst) and a daily quota.

Keys are the ``usageIdentifierKey`` values the authorizer returns; which plan a key belongs to
is read from moto's API Gateway (the same usage plans and keys CDK and the identity code manage).
Every class takes a clock so tests can drive time by hand.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

Clock = Callable[[], float]  # seconds since the epoch


@dataclass(frozen=True)
class PlanLimits:
    plan_id: str
    name: str
    rate_per_second: float
    burst: int
    daily_quota: int | None


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after_seconds: int = 0
    reason: str = ""  # "throttled" or "quota_exceeded" when refused


class TokenBucket:
    """Starts full with ``burst`` tokens and refills at ``rate`` tokens a second."""

    def __init__(self, rate: float, burst: int, clock: Clock) -> None:
        self.rate = rate
        self.capacity = float(max(burst, 1))
        self._tokens = self.capacity
        self._clock = clock
        self._stamp = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def try_take(self) -> float | None:
        """Take one token: None when taken, else the seconds until one is available."""
        self._refill()
        if self._tokens >= 1:
            self._tokens -= 1
            return None
        if self.rate <= 0:
            return math.inf
        return (1 - self._tokens) / self.rate


class DailyQuota:
    """Counts calls per UTC day, as a usage plan quota with period DAY and no offset."""

    def __init__(self, limit: int, clock: Clock) -> None:
        self.limit = limit
        self._clock = clock
        self._day = self._today()
        self.used = 0

    def _today(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC).replace(hour=0, minute=0, second=0, microsecond=0)

    def _roll(self) -> None:
        today = self._today()
        if today != self._day:
            self._day, self.used = today, 0

    def exhausted(self) -> bool:
        self._roll()
        return self.used >= self.limit

    def seconds_until_reset(self) -> float:
        return (self._day + timedelta(days=1)).timestamp() - self._clock()

    def count(self) -> None:
        self._roll()
        self.used += 1


class UsagePlanLimiter:
    """One token bucket and one quota per key, sized by the key's plan."""

    def __init__(self, clock: Clock = time.time) -> None:
        self._clock = clock
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._quotas: dict[tuple[str, str], DailyQuota] = {}
        self._lock = threading.Lock()

    def check(self, key: str, plan: PlanLimits) -> Decision:
        slot = (plan.plan_id, key)  # a key moved to another plan (an upgrade) starts fresh limits
        with self._lock:
            quota = None
            if plan.daily_quota is not None:
                quota = self._quotas.setdefault(slot, DailyQuota(plan.daily_quota, self._clock))
                if quota.exhausted():
                    return Decision(False, _whole_seconds(quota.seconds_until_reset()), "quota_exceeded")
            bucket = self._buckets.setdefault(
                slot, TokenBucket(plan.rate_per_second, plan.burst, self._clock)
            )
            wait = bucket.try_take()
            if wait is not None:
                return Decision(False, _whole_seconds(wait), "throttled")
            if quota is not None:
                quota.count()
            return Decision(True)


def _whole_seconds(seconds: float) -> int:
    if math.isinf(seconds):
        return 60
    return max(1, math.ceil(seconds))


class UsagePlanDirectory:
    """Which usage plan an API key value belongs to, read through API Gateway's API and cached.

    The cache is refreshed after ``ttl_seconds`` and whenever a key is not found (a key created
    or moved since the last read is seen on its first request).
    """

    def __init__(
        self, apigateway: Any, plan_ids: list[str], *, ttl_seconds: float = 30.0, clock: Clock = time.time
    ) -> None:
        self._apigateway = apigateway
        self._plan_ids = plan_ids
        self._ttl = ttl_seconds
        self._clock = clock
        self._by_key: dict[str, PlanLimits] = {}
        self._loaded_at: float | None = None
        self._lock = threading.Lock()

    def _load(self) -> None:
        by_key: dict[str, PlanLimits] = {}
        for plan_id in self._plan_ids:
            plan = self._apigateway.get_usage_plan(usagePlanId=plan_id)
            throttle = plan.get("throttle") or {}
            quota = plan.get("quota") or {}
            limits = PlanLimits(
                plan_id=plan_id,
                name=plan.get("name", plan_id),
                rate_per_second=float(throttle.get("rateLimit", 10_000)),
                burst=int(throttle.get("burstLimit", 5_000)),
                daily_quota=int(quota["limit"]) if quota.get("period") == "DAY" else None,
            )
            paginator = self._apigateway.get_paginator("get_usage_plan_keys")
            for page in paginator.paginate(usagePlanId=plan_id):
                for item in page.get("items", []):
                    by_key[item["value"]] = limits
        self._by_key = by_key
        self._loaded_at = self._clock()

    def plan_for(self, key: str) -> PlanLimits | None:
        with self._lock:
            stale = self._loaded_at is None or self._clock() - self._loaded_at >= self._ttl
            if stale or key not in self._by_key:
                self._load()
            return self._by_key.get(key)


class PerIpThrottle:
    """Public routes marked ``ip_throttled``: one token bucket per client IP, as WAF's rate rule in AWS.

    The bucket refills at the rule's average rate (requests per window / window) and holds a tenth of
    the window's requests, so a crawler is slowed while a person browsing is never refused.
    """

    def __init__(self, requests: int, window_seconds: float, clock: Clock = time.time) -> None:
        self.rate = requests / window_seconds
        self.burst = max(1, requests // 10)
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def check(self, source_ip: str) -> Decision:
        with self._lock:
            bucket = self._buckets.setdefault(source_ip, TokenBucket(self.rate, self.burst, self._clock))
            wait = bucket.try_take()
        if wait is None:
            return Decision(True)
        return Decision(False, _whole_seconds(wait), "throttled")

"""The local gateway's usage plans: token bucket, daily quota and their combination, on a hand-set clock."""

from datetime import UTC, datetime

from infra.local.limits import DailyQuota, PlanLimits, TokenBucket, UsagePlanLimiter

NOON = datetime(2026, 3, 1, 12, 0, tzinfo=UTC).timestamp()


class Clock:
    def __init__(self, now: float = NOON) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_the_burst_at_once_then_refuses_with_the_wait_for_one_token():
    bucket = TokenBucket(rate=5, burst=10, clock=Clock())
    assert [bucket.try_take() for _ in range(10)] == [None] * 10
    assert bucket.try_take() == 1 / 5


def test_bucket_refills_at_its_rate_up_to_its_burst():
    clock = Clock()
    bucket = TokenBucket(rate=5, burst=10, clock=clock)
    for _ in range(10):
        bucket.try_take()
    clock.now += 1  # five tokens back
    assert [bucket.try_take() for _ in range(5)] == [None] * 5
    assert bucket.try_take() is not None
    clock.now += 3600  # never more than the burst
    assert sum(bucket.try_take() is None for _ in range(20)) == 10


def test_quota_is_exhausted_at_its_limit_until_the_next_utc_day():
    clock = Clock()
    quota = DailyQuota(limit=3, clock=clock)
    for _ in range(3):
        assert not quota.exhausted()
        quota.count()
    assert quota.exhausted()
    assert quota.seconds_until_reset() == 12 * 3600
    clock.now += 12 * 3600  # midnight UTC
    assert not quota.exhausted()


def _plan(plan_id: str = "free", rate: float = 1, burst: int = 2, quota: int | None = 3) -> PlanLimits:
    return PlanLimits(plan_id, plan_id, rate, burst, quota)


def test_limiter_answers_throttled_with_whole_seconds_to_wait():
    limiter = UsagePlanLimiter(clock=Clock())
    plan = _plan(rate=0.5, burst=1, quota=None)
    assert limiter.check("k", plan).allowed
    refused = limiter.check("k", plan)
    assert (refused.allowed, refused.reason, refused.retry_after_seconds) == (False, "throttled", 2)


def test_limiter_counts_only_accepted_calls_against_the_quota():
    clock = Clock()
    limiter = UsagePlanLimiter(clock=clock)
    plan = _plan(rate=1, burst=2, quota=3)
    assert [limiter.check("k", plan).allowed for _ in range(3)] == [True, True, False]  # third throttled
    clock.now += 1
    assert limiter.check("k", plan).allowed  # the quota's third call
    clock.now += 10
    refused = limiter.check("k", plan)
    assert (refused.reason, refused.retry_after_seconds) == ("quota_exceeded", 12 * 3600 - 11)


def test_limiter_keeps_separate_limits_per_key():
    limiter = UsagePlanLimiter(clock=Clock())
    plan = _plan(burst=1, quota=None)
    assert limiter.check("tenant-a", plan).allowed
    assert not limiter.check("tenant-a", plan).allowed
    assert limiter.check("tenant-b", plan).allowed


def test_a_key_moved_to_a_bigger_plan_gets_that_plans_limits():
    limiter = UsagePlanLimiter(clock=Clock())
    free, pro = _plan("free", burst=1, quota=None), _plan("pro", burst=5, quota=None)
    limiter.check("k", free)
    assert not limiter.check("k", free).allowed
    assert all(limiter.check("k", pro).allowed for _ in range(5))

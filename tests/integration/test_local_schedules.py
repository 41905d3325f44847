"""The local stack's scheduler fires a fixture schedule's function with EventBridge's Scheduled Event."""

from datetime import UTC, datetime

import pytest

from agentgate.schedules import Schedule
from infra.local.handlers import FunctionRunner
from infra.local.timers import Scheduler
from tests.fixtures import scheduled_job

START = datetime(2026, 3, 1, 0, 0, 30, tzinfo=UTC).timestamp()
HOURLY = Schedule("fixture-rollup", "tests.fixtures.scheduled_job", "rate(1 hour)", "fixture")
NIGHTLY = Schedule("fixture-nightly", "tests.fixtures.scheduled_job", "cron(0 2 * * ? *)", "fixture")


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    scheduled_job.EVENTS.clear()
    return Clock()


def test_firing_a_schedule_now_sends_a_scheduled_event_to_its_function(clock):
    scheduler = Scheduler([HOURLY], runner=FunctionRunner(), clock=clock)
    result = scheduler.fire("fixture-rollup")
    [event] = scheduled_job.EVENTS
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["resources"] == ["arn:aws:events:us-east-1:123456789012:rule/agentgate-fixture-rollup"]
    assert event["time"] == "2026-03-01T00:00:30Z"
    assert event["detail"] == {}
    assert result == {"fired_at": "2026-03-01T00:00:30Z", "function": "scheduled_job"}


def test_a_rate_schedule_fires_once_per_period_and_not_before(clock):
    scheduler = Scheduler([HOURLY], runner=FunctionRunner(), clock=clock)
    clock.now += 3599
    assert scheduler.tick() == []
    clock.now += 1
    assert scheduler.tick() == ["fixture-rollup"]
    assert scheduler.tick() == []
    assert len(scheduled_job.EVENTS) == 1


def test_a_schedule_that_fell_behind_fires_once_and_skips_the_missed_periods(clock):
    scheduler = Scheduler([HOURLY], runner=FunctionRunner(), clock=clock)
    clock.now += 5 * 3600 + 10
    assert scheduler.tick() == ["fixture-rollup"]
    assert scheduler.tick() == []
    assert scheduler.next_at["fixture-rollup"].timestamp() == START + 6 * 3600


def test_a_cron_schedule_fires_at_its_wall_clock_time(clock):
    scheduler = Scheduler([NIGHTLY], runner=FunctionRunner(), clock=clock)
    clock.now = datetime(2026, 3, 1, 1, 59, tzinfo=UTC).timestamp()
    assert scheduler.tick() == []
    clock.now = datetime(2026, 3, 1, 2, 0, 5, tzinfo=UTC).timestamp()
    assert scheduler.tick() == ["fixture-nightly"]
    assert scheduled_job.EVENTS[0]["time"] == "2026-03-01T02:00:00Z"
    assert scheduler.next_at["fixture-nightly"] == datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def test_a_failing_function_does_not_stop_the_scheduler(clock, monkeypatch):
    scheduler = Scheduler([HOURLY, NIGHTLY], runner=FunctionRunner(), clock=clock)
    monkeypatch.setattr(scheduled_job, "EVENTS", None)  # the function now raises on append
    clock.now = datetime(2026, 3, 1, 2, 0, 5, tzinfo=UTC).timestamp()
    assert sorted(scheduler.tick()) == ["fixture-nightly", "fixture-rollup"]
    assert scheduler.seconds_until_next() > 0


def test_a_failing_scheduled_run_is_retried_twice_with_the_same_event(clock, monkeypatch):
    scheduler = Scheduler([HOURLY], runner=FunctionRunner(), clock=clock)
    seen = []

    def failing(event, context):
        seen.append(event["id"])
        raise RuntimeError("the job failed")

    monkeypatch.setattr(scheduled_job, "handler", failing)
    clock.now += 3600
    assert scheduler.tick() == ["fixture-rollup"]
    assert len(seen) == 3 and len(set(seen)) == 1

"""EventBridge timers: schedule expressions, the "Scheduled Event" event, and a scheduler.

``rate(5 minutes)`` fires every period from the scheduler's start; ``cron(m h dom month dow
year)`` follows EventBridge's fields (UTC, day-of-week 1-7 = SUN-SAT, ``?`` in one of the two
day fields, ``L``, ``W`` and ``#``). The scheduler takes its clock and its table rows as
arguments, so tests drive it with fixture schedules and a hand-set clock.
"""

from __future__ import annotations

import calendar
import logging
import re
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from agentgate.schedules import Schedule
from infra.local.apigw import ACCOUNT_ID
from infra.local.handlers import FunctionRunner

log = logging.getLogger("infra.local.timers")

Clock = Callable[[], float]
# EventBridge invokes Lambda asynchronously: a function error is retried twice (Lambda's default).
ASYNC_RETRY_ATTEMPTS = 2

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {name: n for n, name in enumerate(calendar.month_abbr) if name}
_MONTHS = {k.upper(): v for k, v in _MONTHS.items()}
_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}


class ScheduleExpressionError(ValueError):
    pass


def _values(field: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int]:
    """The values a cron field allows: ``*``, ``a``, ``a-b``, ``*/n``, ``a/n``, ``a-b/n``, lists."""
    out: set[int] = set()
    for part in field.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ScheduleExpressionError(f"bad step in {field!r}")
        if base in {"*", "?"}:
            start, end = low, high
        elif "-" in base:
            a, b = base.split("-", 1)
            start, end = _number(a, names), _number(b, names)
        else:
            start = _number(base, names)
            end = high if step_text else start
        if not (low <= start <= high and low <= end <= high):
            raise ScheduleExpressionError(f"{field!r} is outside {low}-{high}")
        out.update(range(start, end + 1, step))
    return out


def _number(text: str, names: dict[str, int] | None) -> int:
    if names and text.upper() in names:
        return names[text.upper()]
    if not text.isdigit():
        raise ScheduleExpressionError(f"not a number: {text!r}")
    return int(text)


def _eventbridge_weekday(day: date) -> int:
    return (day.weekday() + 1) % 7 + 1  # Monday=0 in Python; SUN=1 .. SAT=7 in EventBridge


def _nearest_weekday(year: int, month: int, day: int) -> int:
    last = calendar.monthrange(year, month)[1]
    day = min(day, last)
    weekday = date(year, month, day).weekday()
    if weekday == 5:  # Saturday: Friday, unless that leaves the month
        return day - 1 if day > 1 else day + 2
    if weekday == 6:  # Sunday: Monday, unless that leaves the month
        return day + 1 if day < last else day - 2
    return day


def _day_of_month_matcher(field: str) -> Callable[[date], bool]:
    if field == "?":
        return lambda d: True
    if field == "L":
        return lambda d: d.day == calendar.monthrange(d.year, d.month)[1]
    if field == "LW":
        return lambda d: d.day == _nearest_weekday(d.year, d.month, calendar.monthrange(d.year, d.month)[1])
    if field.endswith("W"):
        target = _number(field[:-1], None)
        return lambda d: d.day == _nearest_weekday(d.year, d.month, target)
    days = _values(field, 1, 31)
    return lambda d: d.day in days


def _day_of_week_matcher(field: str) -> Callable[[date], bool]:
    if field == "?":
        return lambda d: True
    if "#" in field:
        day_text, nth_text = field.split("#", 1)
        weekday, nth = _number(day_text, _DAYS), int(nth_text)
        return lambda d: _eventbridge_weekday(d) == weekday and (d.day - 1) // 7 + 1 == nth
    if field.endswith("L") and len(field) > 1:
        weekday = _number(field[:-1], _DAYS)
        return lambda d: (
            _eventbridge_weekday(d) == weekday and d.day + 7 > calendar.monthrange(d.year, d.month)[1]
        )
    days = _values(field, 1, 7, _DAYS)
    return lambda d: _eventbridge_weekday(d) in days


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    day_of_month: Callable[[date], bool]
    months: frozenset[int]
    day_of_week: Callable[[date], bool]
    years: frozenset[int]

    @classmethod
    def parse(cls, body: str) -> Cron:
        fields = body.split()
        if len(fields) != 6:
            raise ScheduleExpressionError("cron() takes six fields: minutes hours dom month dow year")
        minute, hour, dom, month, dow, year = fields
        if (dom == "?") == (dow == "?"):
            raise ScheduleExpressionError("exactly one of day-of-month and day-of-week must be '?'")
        return cls(
            frozenset(_values(minute, 0, 59)),
            frozenset(_values(hour, 0, 23)),
            _day_of_month_matcher(dom),
            frozenset(_values(month, 1, 12, _MONTHS)),
            _day_of_week_matcher(dow),
            frozenset(_values(year, 1970, 2199)),
        )

    def next_after(self, moment: datetime) -> datetime:
        start = moment.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.date()
        for _ in range(366 * 5):
            if (
                day.year in self.years
                and day.month in self.months
                and self.day_of_month(day)
                and self.day_of_week(day)
            ):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        candidate = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
                        if candidate >= start:
                            return candidate
            day += timedelta(days=1)
        raise ScheduleExpressionError("the expression never fires in the next five years")


@dataclass(frozen=True)
class Rate:
    seconds: int

    def next_after(self, moment: datetime) -> datetime:
        return moment + timedelta(seconds=self.seconds)


def parse_expression(expression: str) -> Rate | Cron:
    text = expression.strip()
    rate = _RATE.match(text)
    if rate:
        amount = int(rate.group(1))
        if amount < 1:
            raise ScheduleExpressionError("a rate must be at least 1")
        return Rate(amount * _UNIT_SECONDS[rate.group(2).rstrip("s")])
    cron = _CRON.match(text)
    if cron:
        return Cron.parse(cron.group(1))
    raise ScheduleExpressionError(f"not a schedule expression: {expression!r}")


def scheduled_event(schedule: Schedule, moment: datetime, region: str, prefix: str) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:aws:events:{region}:{ACCOUNT_ID}:rule/{prefix}-{schedule.name}"],
        "detail": {},
    }


class Scheduler:
    """Fires each schedule's handler when its expression comes due; ``fire(name)`` fires one now."""

    def __init__(
        self,
        schedules: Iterable[Schedule],
        *,
        runner: FunctionRunner,
        clock: Clock = time.time,
        region: str = "us-east-1",
        prefix: str = "agentgate",
    ) -> None:
        self.schedules = {schedule.name: schedule for schedule in schedules}
        self.runner = runner
        self.clock = clock
        self.region = region
        self.prefix = prefix
        self._expressions = {name: parse_expression(s.expression) for name, s in self.schedules.items()}
        now = self._now()
        self.next_at: dict[str, datetime] = {
            name: expression.next_after(now) for name, expression in self._expressions.items()
        }

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def fire(self, name: str, moment: datetime | None = None, event: dict[str, Any] | None = None) -> Any:
        schedule = self.schedules[name]
        event = event or scheduled_event(schedule, moment or self._now(), self.region, self.prefix)
        log.info("schedule %s fires %s", name, schedule.handler)
        return self.runner.invoke(schedule.handler, event, timeout_seconds=900)

    def _deliver(self, name: str, due: datetime) -> None:
        """Lambda's asynchronous invocation: a failure is retried with the same event, then logged."""
        event = scheduled_event(self.schedules[name], due, self.region, self.prefix)
        for attempt in range(1 + ASYNC_RETRY_ATTEMPTS):
            try:
                self.fire(name, event=event)
                return
            except Exception:  # noqa: BLE001 - the function's error: retried, then reported
                log.error("schedule %s failed (attempt %d):\n%s", name, attempt + 1, traceback.format_exc())

    def tick(self) -> list[str]:
        """Fire every schedule that is due (once, even if several periods passed); return their names."""
        now = self._now()
        fired = []
        for name, due in sorted(self.next_at.items(), key=lambda item: item[1]):
            if due > now:
                continue
            expression = self._expressions[name]
            # A cron is absolute; a rate keeps its phase and skips the periods it missed.
            following = expression.next_after(now if isinstance(expression, Cron) else due)
            while following <= now:
                following = expression.next_after(following)
            self.next_at[name] = following
            self._deliver(name, due)
            fired.append(name)
        return fired

    def seconds_until_next(self) -> float:
        if not self.next_at:
            return 3600.0
        return max(0.0, min(self.next_at.values()).timestamp() - self.clock())

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.tick()
            stop.wait(min(self.seconds_until_next(), 1.0))

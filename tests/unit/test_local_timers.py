"""Schedule expressions parse and come due as EventBridge's do (UTC; day-of-week 1-7 = SUN-SAT)."""

from datetime import UTC, datetime

import pytest

from infra.local.timers import Cron, Rate, ScheduleExpressionError, parse_expression


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_a_rate_fires_every_period():
    expression = parse_expression("rate(5 minutes)")
    assert expression == Rate(300)
    assert expression.next_after(at(2026, 1, 1, 0, 0)) == at(2026, 1, 1, 0, 5)
    assert parse_expression("rate(1 day)") == Rate(86400)
    assert parse_expression("rate(2 hours)") == Rate(7200)


def test_a_daily_cron_fires_at_its_time_today_or_tomorrow():
    daily = parse_expression("cron(15 2 * * ? *)")
    assert daily.next_after(at(2026, 1, 1, 1, 0)) == at(2026, 1, 1, 2, 15)
    assert daily.next_after(at(2026, 1, 1, 2, 15)) == at(2026, 1, 2, 2, 15)


def test_a_cron_on_weekdays_skips_the_weekend():
    weekdays = parse_expression("cron(0 9 ? * MON-FRI *)")
    friday_evening = at(2026, 1, 2, 18, 0)  # 2 January 2026 is a Friday
    assert weekdays.next_after(friday_evening) == at(2026, 1, 5, 9, 0)


def test_cron_steps_and_lists():
    every_quarter_hour = parse_expression("cron(0/15 * * * ? *)")
    assert every_quarter_hour.next_after(at(2026, 1, 1, 0, 16)) == at(2026, 1, 1, 0, 30)
    assert parse_expression("cron(0 8,20 * * ? *)").next_after(at(2026, 1, 1, 9, 0)) == at(2026, 1, 1, 20, 0)


def test_cron_last_day_of_month_and_nth_weekday():
    assert parse_expression("cron(0 0 L * ? *)").next_after(at(2026, 2, 3)) == at(2026, 2, 28)
    first_monday = parse_expression("cron(0 0 ? * 2#1 *)")
    assert first_monday.next_after(at(2026, 2, 3)) == at(2026, 3, 2)


def test_cron_nearest_weekday():
    # 15 August 2026 is a Saturday: its nearest weekday is Friday the 14th.
    assert parse_expression("cron(0 0 15W * ? *)").next_after(at(2026, 8, 1)) == at(2026, 8, 14)


def test_cron_respects_the_year_field():
    assert parse_expression("cron(0 0 1 1 ? 2028)").next_after(at(2026, 6, 1)) == at(2028, 1, 1)
    assert isinstance(parse_expression("cron(0 0 1 JAN ? *)"), Cron)


@pytest.mark.parametrize(
    "expression",
    [
        "rate(0 minutes)",
        "rate(5 weeks)",
        "cron(0 0 * * * *)",  # neither day field is "?"
        "cron(0 0 ? * ? *)",  # both are
        "cron(0 0 * * ?)",  # five fields
        "cron(61 0 * * ? *)",
        "cron(0 0 1 1 ? 1900)",
        "every day",
    ],
)
def test_a_bad_expression_is_refused(expression):
    with pytest.raises(ScheduleExpressionError):
        parse_expression(expression)

"""Budgets: CRUD, bad input, tenancy, spend once per unique run, alert once, auto-pause."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from agentgate.models import AgentItem, BudgetItem, tenant_pk
from agentgate.platform.tenancy import Role
from agentgate.services.budgets import period_bounds, remaining_for_agent
from tests.integration.test_runs_helpers import (
    Stream,
    agent,
    make_agent,
    make_tenant,
    run_body,
    table_items,
    user,
)
from tests.support.api import call

ADMIN = user("t1")


@pytest.fixture
def tenant(aws):
    make_tenant("t1")
    make_agent("t1", "a1", team="red")
    make_agent("t1", "a2", team="red")
    make_agent("t1", "a3", team="blue")
    make_agent("t2", "b1")
    return "t1"


def _create(body, ctx=ADMIN):
    return call("POST", "/api/v1/budgets", body=body, ctx=ctx)


def _spend_runs(agent_id: str, team: str | None, *run_ids: str, input_tokens: int = 1_000_000) -> None:
    """gpt-4o at 2.50 per million input tokens: each run costs 2.50 (1,000,000 input tokens)."""
    now = datetime.now(UTC).isoformat()
    runs = [run_body(r, start_time=now, end_time=now, token_usage={"input": input_tokens}) for r in run_ids]
    reply = call("POST", "/api/v1/ingest/batch", body={"runs": runs}, ctx=agent("t1", agent_id, team=team))
    assert reply.status == 207 and reply.json["accepted"] == len(run_ids)
    stream = Stream()
    stream.read()
    stream.deliver()


def _events(tenant_id: str, event_type: str) -> list[dict]:
    from agentgate.models import DomainEventItem

    found = DomainEventItem.query(tenant_pk(tenant_id), DomainEventItem.sk.startswith("EVENT#"))
    return [e.data for e in found if e.type == event_type]


def test_an_admin_creates_a_budget_and_reads_it_with_its_current_period(tenant):
    reply = _create({"scope": "team", "scope_id": "red", "max_amount_usd": "100.50", "period": "monthly"})
    assert reply.status == 201, reply.text
    budget = reply.json
    assert budget["max_amount_usd"] == "100.50" and budget["current_spend_usd"] == "0"
    assert budget["threshold_alert_percent"] == 80 and budget["auto_pause_at_percent"] is None
    start, _ = period_bounds("monthly", datetime.now(UTC))
    assert budget["period_start"] == start.isoformat().replace("+00:00", "Z")
    got = call("GET", "/api/v1/budgets/{id}", path_params={"id": budget["id"]}, ctx=user("t1", Role.VIEWER))
    assert got.status == 200 and got.json == budget
    listed = call("GET", "/api/v1/budgets", ctx=user("t1", Role.VIEWER))
    assert [b["id"] for b in listed.json["items"]] == [budget["id"]]


def test_an_admin_updates_and_deletes_a_budget(tenant):
    budget = _create(
        {"scope": "org", "max_amount_usd": "10", "period": "daily", "auto_pause_at_percent": 100}
    ).json
    patched = call("PATCH", "/api/v1/budgets/{id}", path_params={"id": budget["id"]},
                   body={"max_amount_usd": "20", "auto_pause_at_percent": None}, ctx=ADMIN)  # fmt: skip
    assert patched.status == 200, patched.text
    assert patched.json["max_amount_usd"] == "20" and patched.json["auto_pause_at_percent"] is None
    assert call("DELETE", "/api/v1/budgets/{id}", path_params={"id": budget["id"]}, ctx=ADMIN).status == 204
    assert call("GET", "/api/v1/budgets/{id}", path_params={"id": budget["id"]}, ctx=ADMIN).status == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scope": "team", "max_amount_usd": "10", "period": "daily"}, "body"),
        ({"scope": "org", "scope_id": "x", "max_amount_usd": "10", "period": "daily"}, "body"),
        ({"scope": "org", "max_amount_usd": "0", "period": "daily"}, "max_amount_usd"),
        ({"scope": "org", "max_amount_usd": "ten", "period": "daily"}, "max_amount_usd"),
        ({"scope": "org", "max_amount_usd": "10", "period": "yearly"}, "period"),
        ({"scope": "planet", "max_amount_usd": "10", "period": "daily"}, "scope"),
        ({"scope": "org", "max_amount_usd": "10", "period": "daily", "threshold_alert_percent": 0},
         "threshold_alert_percent"),
        ({"scope": "org", "max_amount_usd": "10", "period": "daily", "owner": "me"}, "owner"),
    ],
)  # fmt: skip
def test_a_bad_budget_is_a_400_naming_the_field_and_nothing_is_written(tenant, body, field):
    before = len(table_items())
    reply = _create(body)
    assert reply.status == 400, reply.text
    assert field in {d["field"] for d in reply.json["error"]["details"]}
    assert len(table_items()) == before


def test_a_budget_for_an_agent_of_another_tenant_is_refused_and_nothing_is_written(tenant):
    before = len(table_items())
    reply = _create({"scope": "agent", "scope_id": "b1", "max_amount_usd": "10", "period": "daily"})
    assert reply.status == 422 and reply.json["error"]["code"] == "scope_not_found"
    assert len(table_items()) == before


def test_an_empty_or_null_amount_patch_is_a_400_and_changes_nothing(tenant):
    budget = _create({"scope": "org", "max_amount_usd": "10", "period": "daily"}).json
    for body in ({}, {"max_amount_usd": None}, {"scope": "team"}):
        reply = call("PATCH", "/api/v1/budgets/{id}", path_params={"id": budget["id"]}, body=body, ctx=ADMIN)
        assert reply.status == 400, body
    assert BudgetItem.get(tenant_pk("t1"), BudgetItem.sk_for(budget["id"])).max_amount_usd == Decimal("10")


def test_a_member_cannot_write_budgets(tenant):
    member = user("t1", Role.MEMBER)
    assert _create({"scope": "org", "max_amount_usd": "10", "period": "daily"}, ctx=member).status == 403


def test_another_tenant_gets_404_on_every_budget_route(tenant):
    budget = _create({"scope": "org", "max_amount_usd": "10", "period": "daily"}).json
    other = user("t2")
    path = {"id": budget["id"]}
    assert call("GET", "/api/v1/budgets/{id}", path_params=path, ctx=other).status == 404
    patch = call("PATCH", "/api/v1/budgets/{id}", path_params=path, body={"max_amount_usd": "1"}, ctx=other)
    assert patch.status == 404
    assert call("DELETE", "/api/v1/budgets/{id}", path_params=path, ctx=other).status == 404
    assert call("GET", "/api/v1/budgets", ctx=other).json["items"] == []
    assert BudgetItem.get(tenant_pk("t1"), BudgetItem.sk_for(budget["id"])).max_amount_usd == Decimal("10")


def test_spend_counts_each_unique_run_once_even_when_resent(tenant):
    budget = _create({"scope": "team", "scope_id": "red", "max_amount_usd": "100", "period": "daily"}).json
    _spend_runs("a1", "red", "r1", "r2")
    _spend_runs("a1", "red", "r1")  # a client resend
    _spend_runs("a3", "blue", "r3")  # another team: not covered
    got = call("GET", "/api/v1/budgets/{id}", path_params={"id": budget["id"]}, ctx=ADMIN).json
    assert Decimal(got["current_spend_usd"]) == Decimal("5.00")


def test_crossing_the_threshold_emits_one_event_per_period(tenant):
    # given a 10 USD budget alerting at 40%
    budget = _create({"scope": "agent", "scope_id": "a1", "max_amount_usd": "10", "period": "monthly",
                      "threshold_alert_percent": 40}).json  # fmt: skip
    # when spend goes 2.50 (25%), then 5.00 (50%), then 7.50 (75%)
    _spend_runs("a1", "red", "r1")
    assert _events("t1", "budget.threshold_crossed") == []
    _spend_runs("a1", "red", "r2")
    _spend_runs("a1", "red", "r3")
    # then one event, sent when 40% was crossed
    events = _events("t1", "budget.threshold_crossed")
    assert len(events) == 1
    assert events[0]["budget_id"] == budget["id"] and events[0]["current_spend_usd"] == "5.00000000"
    assert call("GET", "/api/v1/budgets/{id}", path_params={"id": budget["id"]}, ctx=ADMIN).json["alert_sent"]


def test_crossing_auto_pause_pauses_the_agents_in_scope_once(tenant):
    # given a team budget of 5 USD pausing at 100%
    _create({"scope": "team", "scope_id": "red", "max_amount_usd": "5", "period": "daily",
             "auto_pause_at_percent": 100})  # fmt: skip
    # when the team spends 5.00
    _spend_runs("a1", "red", "r1", "r2")
    # then both red agents are paused, the blue one is not, and one audit-backed pause each
    status = {a: AgentItem.get(tenant_pk("t1"), AgentItem.sk_for(a)).status for a in ("a1", "a2", "a3")}
    assert status == {"a1": "paused", "a2": "paused", "a3": "active"}
    assert sorted(e["agent_id"] for e in _events("t1", "agent.paused")) == ["a1", "a2"]


def test_remaining_for_agent_is_the_least_left_over_the_budgets_covering_it(tenant):
    assert remaining_for_agent("t1", "a1") is None
    _create({"scope": "org", "max_amount_usd": "100", "period": "monthly"})
    _create({"scope": "team", "scope_id": "red", "max_amount_usd": "4", "period": "daily"})
    _create({"scope": "agent", "scope_id": "a3", "max_amount_usd": "1", "period": "daily"})
    _spend_runs("a1", "red", "r1")  # 2.50
    assert remaining_for_agent("t1", "a1") == Decimal("1.5")
    assert remaining_for_agent("t1", "a3") == Decimal("1")
    assert remaining_for_agent("t2", "b1") is None


@pytest.mark.parametrize(
    ("period", "at", "start", "end"),
    [
        ("daily", "2026-03-01T23:59:59+00:00", "2026-03-01", "2026-03-02"),
        ("daily", "2026-03-01T23:30:00-01:00", "2026-03-02", "2026-03-03"),  # UTC decides
        ("weekly", "2026-11-29T10:00:00+00:00", "2026-11-23", "2026-11-30"),  # a Sunday: week from Monday
        ("monthly", "2028-02-29T12:00:00+00:00", "2028-02-01", "2028-03-01"),  # leap year
        ("monthly", "2026-12-31T12:00:00+00:00", "2026-12-01", "2027-01-01"),
    ],
)
def test_budget_periods_are_utc_days_iso_weeks_and_calendar_months(period, at, start, end):
    got = period_bounds(period, datetime.fromisoformat(at))
    assert (got[0].date().isoformat(), got[1].date().isoformat()) == (start, end)

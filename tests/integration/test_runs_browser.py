"""The runs browser, costs, dashboards and the CSV export, read after the consumer stored the runs."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from agentgate.models import RunItem, tenant_pk
from agentgate.platform.tenancy import Role
from tests.integration.test_runs_helpers import Stream, agent, apikey, make_agent, run_body, user
from tests.support.api import call

NOW = datetime.now(UTC).replace(microsecond=0)
T1 = user("t1", Role.VIEWER)


def _at(minutes_ago: int) -> str:
    return (NOW - timedelta(minutes=minutes_ago)).isoformat()


def _end(minutes_ago: int, ms: int) -> str:
    return (NOW - timedelta(minutes=minutes_ago) + timedelta(milliseconds=ms)).isoformat()


@pytest.fixture
def runs(aws):
    make_agent("t1", "a1", team="red")
    make_agent("t1", "a2", team="blue")
    make_agent("t2", "b1")
    batches = {
        ("a1", "red"): [
            run_body("r1", start_time=_at(30), end_time=_end(30, 400), token_usage={"input": 1_000_000}),
            run_body("r2", start_time=_at(20), end_time=_end(20, 900), status="error",
                     token_usage={"output": 100_000},
                     events=[{"event_id": "late", "type": "tool", "timestamp": _at(19)},
                             {"event_id": "early", "type": "llm", "timestamp": _at(20), "payload": 1}]),
        ],
        ("a2", "blue"): [
            run_body("r3", start_time=_at(10), end_time=_end(10, 2500), model="in-house", provider="acme"),
        ],
    }  # fmt: skip
    for (agent_id, team), bodies in batches.items():
        assert (
            call(
                "POST", "/api/v1/ingest/batch", body={"runs": bodies}, ctx=agent("t1", agent_id, team=team)
            ).status
            == 207
        )
    other = run_body("x1", start_time=_at(5), end_time=_at(5))
    assert call("POST", "/api/v1/ingest/run", body=other, ctx=agent("t2", "b1")).status == 202
    stream = Stream()
    stream.read()
    stream.deliver()
    return ["r1", "r2", "r3"]


def _ids(reply):
    assert reply.status == 200, reply.text
    return [r["run_id"] for r in reply.json["items"]]


def test_runs_are_listed_newest_first_for_the_tenant_only(runs):
    assert _ids(call("GET", "/api/v1/runs", ctx=T1)) == ["r3", "r2", "r1"]
    assert _ids(call("GET", "/api/v1/runs", ctx=apikey("t1", {"runs:read"}))) == ["r3", "r2", "r1"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"agent_id": "a1"}, ["r2", "r1"]),
        ({"status": "error"}, ["r2"]),
        ({"team": "blue"}, ["r3"]),
        ({"min_cost": "1.5"}, ["r1"]),
        ({"from": _at(25), "to": _at(15)}, ["r2"]),
        ({"agent_id": "a1", "from": _at(25)}, ["r2"]),
    ],
)
def test_runs_are_filtered(runs, query, expected):
    assert _ids(call("GET", "/api/v1/runs", query=query, ctx=T1)) == expected


def test_runs_are_paginated_with_a_cursor(runs):
    first = call("GET", "/api/v1/runs", query={"limit": 2}, ctx=T1).json
    second = call("GET", "/api/v1/runs", query={"limit": 2, "cursor": first["next_cursor"]}, ctx=T1).json
    assert [r["run_id"] for r in first["items"] + second["items"]] == ["r3", "r2", "r1"]


@pytest.mark.parametrize(
    "query",
    [
        {"status": "weird"},
        {"min_cost": "-1"},
        {"limit": "0"},
        {"from": "noon"},
        {"cursor": "zzz"},
        {"x": "1"},
    ],
)
def test_a_bad_runs_query_is_a_400(runs, query):
    reply = call("GET", "/api/v1/runs", query=query, ctx=T1)
    assert reply.status == 400, reply.text


def test_another_tenants_cursor_is_refused(runs):
    cursor = call("GET", "/api/v1/runs", query={"limit": 1}, ctx=T1).json["next_cursor"]
    assert call("GET", "/api/v1/runs", query={"cursor": cursor}, ctx=user("t2")).status == 400


def test_a_run_has_its_cost_price_version_and_latency(runs):
    run = call("GET", "/api/v1/runs/{id}", path_params={"id": "r1"}, ctx=T1).json
    assert run["cost_usd"] == "2.50000000" and run["price_version"] and run["latency_ms"] == 400
    unpriced = call("GET", "/api/v1/runs/{id}", path_params={"id": "r3"}, ctx=T1).json
    assert unpriced["cost_usd"] is None and unpriced["unpriced"] is True


def test_a_run_past_its_retention_is_not_found(runs):
    item = RunItem.get(tenant_pk("t1"), RunItem.sk_for("r1"))
    item.update(actions=[RunItem.expires_at.set(datetime.now(UTC) - timedelta(seconds=1))])
    assert call("GET", "/api/v1/runs/{id}", path_params={"id": "r1"}, ctx=T1).status == 404
    assert "r1" not in _ids(call("GET", "/api/v1/runs", ctx=T1))


def test_a_runs_events_come_in_timeline_order(runs):
    reply = call("GET", "/api/v1/events/{run_id}", path_params={"run_id": "r2"}, ctx=T1)
    assert [(e["seq"], e["event_id"]) for e in reply.json["items"]] == [(0, "early"), (1, "late")]
    assert reply.json["items"][0]["payload"] == 1


def test_costs_by_org_agent_and_team_come_by_day(runs):
    # r1: 1,000,000 input x 2.50 = 2.50; r2: 100,000 output x 10 = 1.00; r3 unpriced
    org = call("GET", "/api/v1/costs/summary", ctx=T1).json
    assert org["total_cost_usd"] == "3.50000000" and org["runs"] == 3 and org["unpriced_runs"] == 1
    assert len(org["by_day"]) == 30
    assert sum(d["runs"] for d in org["by_day"]) == 3
    agent_report = call("GET", "/api/v1/costs/by-agent/{id}", path_params={"id": "a1"}, ctx=T1).json
    assert agent_report["total_cost_usd"] == "3.50000000" and agent_report["runs"] == 2
    team = call("GET", "/api/v1/costs/by-team/{name}", path_params={"name": "blue"}, ctx=T1).json
    assert team["total_cost_usd"] == "0" and team["unpriced_runs"] == 1


@pytest.mark.parametrize("query", [{"from": "2026-02-30"}, {"from": "2026-03-01", "to": "2026-02-01"},
                                   {"from": "2020-01-01", "to": "2026-01-01"}])  # fmt: skip
def test_a_bad_cost_range_is_a_400(runs, query):
    assert call("GET", "/api/v1/costs/summary", query=query, ctx=T1).status == 400


def test_the_home_dashboard_shows_kpis_and_top_agents(runs):
    home = call("GET", "/api/v1/dashboard/home", ctx=T1).json
    kpis = home["kpis"]
    assert (
        kpis["runs_7d"] == 3
        and kpis["errors_7d"] == 1
        and kpis["error_rate_7d"] == pytest.approx(1 / 3, 1e-3)
    )
    assert kpis["latency_p50_ms"] == 1000 and kpis["latency_p95_ms"] == 3000  # bucket upper bounds
    assert kpis["cost_30d_usd"] == "3.50000000"
    assert [a["agent_id"] for a in home["top_agents"]] == ["a1", "a2"]


def test_the_agent_dashboard_shows_its_recent_runs(runs):
    board = call("GET", "/api/v1/dashboard/agent/{id}", path_params={"id": "a1"}, ctx=T1).json
    assert board["team"] == "red" and [r["run_id"] for r in board["recent_runs"]] == ["r2", "r1"]


def test_the_csv_export_has_a_header_and_one_row_per_run(runs):
    reply = call("GET", "/api/v1/exports/runs.csv", ctx=T1)
    assert reply.status == 200 and reply.headers["content-type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    assert [r["run_id"] for r in rows] == ["r3", "r2", "r1"]
    assert rows[2]["cost_usd"] == "2.50000000" and rows[0]["unpriced"] == "True"


def test_another_tenant_gets_404_or_nothing_on_every_runs_route(runs):
    other = user("t2")
    assert _ids(call("GET", "/api/v1/runs", ctx=other)) == ["x1"]
    assert _ids(call("GET", "/api/v1/runs", query={"agent_id": "a1"}, ctx=other)) == []
    assert call("GET", "/api/v1/runs/{id}", path_params={"id": "r1"}, ctx=other).status == 404
    assert call("GET", "/api/v1/events/{run_id}", path_params={"run_id": "r2"}, ctx=other).status == 404
    assert call("GET", "/api/v1/dashboard/agent/{id}", path_params={"id": "a1"}, ctx=other).status == 404
    assert call("GET", "/api/v1/costs/by-agent/{id}", path_params={"id": "a1"}, ctx=other).status == 404
    assert call("GET", "/api/v1/costs/by-team/{name}", path_params={"name": "red"}, ctx=other).status == 404
    assert call("GET", "/api/v1/costs/summary", ctx=other).json["runs"] == 1
    assert call("GET", "/api/v1/dashboard/home", ctx=other).json["kpis"]["runs_7d"] == 1
    export = call("GET", "/api/v1/exports/runs.csv", ctx=other).text
    assert "r1" not in export and "x1" in export

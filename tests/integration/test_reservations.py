"""Budget reservations: /authorize holds its estimate atomically, a run settles it, the timer releases it."""

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from agentgate.models import BudgetReservationItem, tenant_pk
from infra.local.apigw import LambdaContext
from tests.integration.test_runs_helpers import Stream
from tests.support.api import call
from tests.support.atomic_dynamodb import make_requests_atomic
from tests.support.governance import agent, make_agent, make_tenant, user

ADMIN = user("t1", "usr_admin", role="admin")
AGENT = agent("t1", "agt_1", "runs:write")
OTHER_AGENT = agent("t1", "agt_2", "runs:write")


def given_a_budget(max_usd="1.00", scope="agent", scope_id="agt_1"):
    make_tenant("t1")
    make_agent("t1", "agt_1", team="payments")
    make_agent("t1", "agt_2", team="payments")
    body = {"name": "cap", "scope": scope, "max_amount_usd": max_usd, "period": "daily"}
    if scope_id:
        body["scope_id"] = scope_id
    reply = call("POST", "/api/v1/budgets", body=body, ctx=ADMIN)
    assert reply.status == 201, reply.text
    return reply.json["id"]


def authorize(estimate, ctx=AGENT):
    reply = call(
        "POST", "/api/v1/authorize", body={"action": "llm.call", "estimated_cost_usd": estimate}, ctx=ctx
    )
    assert reply.status == 200, reply.text
    return reply.json


def release_at(fired):
    """The release timer, fired at ``fired`` as EventBridge would."""
    from functions.budget_reservations_release import handler

    return handler({"time": fired.isoformat()}, LambdaContext("budget_reservations_release"))


def budget(budget_id):
    return call("GET", "/api/v1/budgets/{id}", path_params={"id": budget_id}, ctx=ADMIN).json


def test_twenty_concurrent_authorizations_of_ten_cents_hold_at_most_a_one_dollar_budget(aws, monkeypatch):
    make_requests_atomic(monkeypatch)  # each request to moto atomic, as each request to DynamoDB is
    budget_id = given_a_budget("1.00")
    start = threading.Barrier(20)
    answers: list[dict] = []

    def race() -> None:
        start.wait()
        answers.append(authorize("0.10"))

    threads = [threading.Thread(target=race) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    allowed = [a for a in answers if a["decision"] == "allow"]
    denied = [a for a in answers if a["decision"] == "deny"]
    assert len(answers) == 20
    assert len(allowed) <= 10
    assert len(allowed) + len(denied) == 20
    assert all(a["authorization_id"] for a in allowed)
    assert all(a["reasons"][0]["code"] == "budget_exhausted" for a in denied)
    assert Decimal(budget(budget_id)["reserved_usd"]) == Decimal("0.10") * len(allowed) <= Decimal("1.00")


def test_reservations_stop_at_the_budget_one_after_another(aws):
    budget_id = given_a_budget("1.00")

    answers = [authorize("0.30") for _ in range(4)]

    assert [a["decision"] for a in answers] == ["allow", "allow", "allow", "deny"]
    assert answers[3]["reasons"][0]["code"] == "budget_exhausted"
    assert "exceeds the 0.10 USD left" in answers[3]["reasons"][0]["message"]  # spend + reserved counted
    assert Decimal(budget(budget_id)["reserved_usd"]) == Decimal("0.90")
    assert Decimal(budget(budget_id)["current_spend_usd"]) == 0


def test_an_agent_no_budget_covers_reserves_nothing(aws):
    given_a_budget("1.00", scope_id="agt_1")

    answer = authorize("5.00", ctx=OTHER_AGENT)

    assert (answer["decision"], answer["authorization_id"]) == ("allow", None)


def test_a_run_with_the_authorization_id_replaces_the_hold_with_its_real_cost(aws):
    budget_id = given_a_budget("1.00")
    held = authorize("0.50")
    run = {
        "run_id": "run-settles",
        "status": "success",
        "start_time": datetime.now(UTC).isoformat(),
        "model": "gpt-4o",
        "provider": "openai",
        "token_usage": {"input": 1000, "output": 1000},
        "authorization_id": held["authorization_id"],
    }

    assert call("POST", "/api/v1/ingest/run", body=run, ctx=AGENT).status == 202
    stream = Stream()
    stream.read()
    stream.deliver()
    stream.deliver()  # a redelivery settles nothing twice

    after = budget(budget_id)
    assert Decimal(after["reserved_usd"]) == 0
    assert Decimal(after["current_spend_usd"]) > 0
    item = BudgetReservationItem.get(tenant_pk("t1"), BudgetReservationItem.sk_for(held["authorization_id"]))
    assert (item.status, item.settled_by_run) == ("settled", "run-settles")
    assert authorize("0.90")["decision"] == "allow"  # the money held is free again, minus the real cost


def test_another_agents_run_cannot_settle_a_reservation(aws):
    budget_id = given_a_budget("1.00", scope="team", scope_id="payments")
    held = authorize("0.50")
    run = {
        "run_id": "run-other",
        "status": "success",
        "start_time": datetime.now(UTC).isoformat(),
        "authorization_id": held["authorization_id"],
    }

    call("POST", "/api/v1/ingest/run", body=run, ctx=OTHER_AGENT)
    stream = Stream()
    stream.read()
    stream.deliver()

    assert Decimal(budget(budget_id)["reserved_usd"]) == Decimal("0.50")


def test_the_timer_releases_reservations_nobody_settled_once_their_time_is_up(aws):
    budget_id = given_a_budget("1.00")
    held = authorize("0.60")
    assert authorize("0.60")["decision"] == "deny"
    early = release_at(datetime.now(UTC))
    late = release_at(datetime.now(UTC) + timedelta(seconds=3601))
    again = release_at(datetime.now(UTC) + timedelta(seconds=3700))

    assert (early["released"], late["released"], again["released"]) == (0, 1, 0)
    assert Decimal(budget(budget_id)["reserved_usd"]) == 0
    item = BudgetReservationItem.get(tenant_pk("t1"), BudgetReservationItem.sk_for(held["authorization_id"]))
    assert item.status == "released"
    assert authorize("0.60")["decision"] == "allow"


def test_the_reservation_time_comes_from_the_policy_settings(aws):
    given_a_budget("1.00")
    assert (
        call("PUT", "/api/v1/policy-settings", body={"reservation_ttl_seconds": 120}, ctx=ADMIN).status == 200
    )
    held = authorize("0.60")
    assert release_at(datetime.now(UTC) + timedelta(seconds=121))["released"] == 1
    item = BudgetReservationItem.get(tenant_pk("t1"), BudgetReservationItem.sk_for(held["authorization_id"]))
    assert item.status == "released"

"""POST /api/v1/policies/evaluate: /authorize's decision as a dry run, for an admin, with nothing written.

Each test compares the whole table, the analytics stream (beyond the API call count every request
makes) and the state machines' executions before and after: no audit entry, no approval, no
reservation, no authorization record.
"""

import json
from contextlib import contextmanager

import boto3
import pytest

from tests.support.api import call
from tests.support.governance import agent, make_agent, make_tenant, user
from tests.support.identity import table_items

ADMIN = user("t1")
OTHER_ADMIN = user("t2", "usr_other")
UNKNOWN_FIELD = {"all": [{"field": "nope", "op": "eq", "value": 1}]}
BAD_POLICY = {"name": "x", "action": "deny", "conditions": UNKNOWN_FIELD}
DEPLOYS = {"all": [{"field": "action", "op": "eq", "value": "deploy"}]}


@pytest.fixture
def tenant(aws):
    make_tenant("t1")
    make_tenant("t2")
    make_agent("t1", "agt_1", team="payments", tags=("prod",))
    make_agent("t2", "agt_2")
    return aws


def policy(action, conditions=DEPLOYS, **extra):
    body = {"name": f"{action} deploys", "action": action, "conditions": conditions, **extra}
    reply = call("POST", "/api/v1/policies", body=body, ctx=ADMIN)
    assert reply.status == 201, reply.text
    return reply.json["id"]


def evaluate(body, ctx=ADMIN):
    return call("POST", "/api/v1/policies/evaluate", body=body, ctx=ctx)


def analytics_kinds(env):
    """The analytics stream's records other than the per-request API call count every route sends."""
    kinesis = boto3.client("kinesis", region_name="us-east-1")
    stream = env["ANALYTICS_STREAM_NAME"]
    shard = kinesis.describe_stream(StreamName=stream)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = kinesis.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    return [kind for r in records if (kind := json.loads(r["Data"])["kind"]) != "api_call"]


def executions():
    sfn = boto3.client("stepfunctions", region_name="us-east-1")
    machines = sfn.list_state_machines()["stateMachines"]
    return [
        e for m in machines for e in sfn.list_executions(stateMachineArn=m["stateMachineArn"])["executions"]
    ]


@contextmanager
def unchanged(env):
    """Snapshot the table, the analytics stream and the workflows; the calls inside must change none."""
    before = (table_items(), analytics_kinds(env), executions())
    yield
    assert (table_items(), analytics_kinds(env), executions()) == before


@pytest.fixture
def nothing_written(tenant):
    with unchanged(tenant):
        yield


def test_a_require_approval_policy_evaluates_to_pending_without_starting_an_approval(tenant):
    policy_id = policy("require_approval", approvers=["role:admin"])
    with unchanged(tenant):
        reply = evaluate({"agent_id": "agt_1", "action": "deploy", "resource": "prod"})
    assert reply.status == 200, reply.text
    assert reply.json["decision"] == "pending"
    assert reply.json["matched_policy_ids"] == [policy_id]
    assert reply.json["reasons"][0]["policy_id"] == policy_id


def test_it_answers_what_authorize_answers_for_the_same_request(tenant):
    policy("deny", {"all": [{"field": "agent.tags", "op": "contains", "value": "prod"}]})
    with unchanged(tenant):
        dry = evaluate({"agent_id": "agt_1", "action": "deploy"}).json
    real = call("POST", "/api/v1/authorize", body={"action": "deploy"}, ctx=agent("t1", "agt_1")).json
    assert (
        (dry["decision"], dry["reasons"]) == (real["decision"], real["reasons"]) == ("deny", dry["reasons"])
    )
    assert dry["default_decision"] == "allow"


def test_with_no_policy_the_tenant_default_decides(tenant, nothing_written):
    reply = evaluate({"agent_id": "agt_1", "action": "deploy"})
    assert (reply.json["decision"], reply.json["reasons"][0]["kind"]) == ("allow", "default")
    assert reply.json["matched_policy_ids"] == []
    assert reply.json["tested_policy"] is None


def test_a_draft_policy_is_tested_beside_the_stored_ones(tenant, nothing_written):
    draft = {
        "name": "no prod deploys",
        "action": "deny",
        "conditions": DEPLOYS,
        "scope": {"teams": ["payments"]},
    }
    reply = evaluate({"agent_id": "agt_1", "action": "deploy", "policy": draft})
    assert reply.status == 200, reply.text
    assert reply.json["decision"] == "deny"
    assert reply.json["matched_policy_ids"] == ["draft"]
    tested = reply.json["tested_policy"]
    assert tested == {
        "policy_id": None, "name": "no prod deploys", "action": "deny", "active": True,
        "in_scope": True, "conditions_match": True, "applies": True, "decides": True,
    }  # fmt: skip
    miss = evaluate({"agent_id": "agt_1", "action": "read", "policy": draft}).json
    assert (miss["decision"], miss["tested_policy"]["conditions_match"]) == ("allow", False)


def test_an_edit_is_tested_in_place_of_the_stored_policy(tenant):
    stored = policy("deny")
    before = table_items()
    edited = {"name": "deploys need a person", "action": "require_approval", "conditions": DEPLOYS}
    reply = evaluate({"agent_id": "agt_1", "action": "deploy", "policy_id": stored, "policy": edited})
    assert reply.json["decision"] == "pending"  # the stored deny no longer counts
    assert reply.json["matched_policy_ids"] == [stored]
    assert reply.json["tested_policy"]["policy_id"] == stored
    alone = evaluate({"agent_id": "agt_1", "action": "deploy", "policy_id": stored}).json
    assert (alone["decision"], alone["tested_policy"]["decides"]) == ("deny", True)
    assert table_items() == before


def test_a_policy_out_of_scope_is_reported_as_such(tenant, nothing_written):
    draft = {"name": "ops only", "action": "deny", "scope": {"teams": ["ops"]}}
    tested = evaluate({"agent_id": "agt_1", "action": "deploy", "policy": draft}).json["tested_policy"]
    assert (tested["in_scope"], tested["conditions_match"], tested["applies"]) == (False, True, False)


def test_the_clock_can_be_set_for_time_conditions(tenant, nothing_written):
    night = {"all": [{"field": "time.hour", "op": "lt", "value": 6}]}
    draft = {"name": "no night deploys", "action": "deny", "conditions": night}
    at_night = evaluate(
        {"agent_id": "agt_1", "action": "deploy", "policy": draft, "at": "2026-03-02T03:00:00Z"}
    )
    at_noon = evaluate(
        {"agent_id": "agt_1", "action": "deploy", "policy": draft, "at": "2026-03-02T12:00:00Z"}
    )
    assert (at_night.json["decision"], at_noon.json["decision"]) == ("deny", "allow")
    assert at_night.json["evaluated_at"].startswith("2026-03-02T03:00:00")


def test_an_estimate_over_the_budget_is_denied_without_a_reservation(tenant):
    reply = call(
        "POST", "/api/v1/budgets", ctx=ADMIN,
        body={"scope": "agent", "scope_id": "agt_1", "max_amount_usd": "1.00", "period": "daily"},
    )  # fmt: skip
    assert reply.status == 201, reply.text
    before = table_items()
    over = evaluate({"agent_id": "agt_1", "action": "llm.call", "estimated_cost_usd": "2.50"}).json
    assert over["decision"] == "deny"
    assert (over["reasons"][0]["kind"], over["budget_remaining_usd"]) == ("budget", "1.00")
    under = evaluate({"agent_id": "agt_1", "action": "llm.call", "estimated_cost_usd": "0.40"}).json
    assert under["decision"] == "allow"
    assert table_items() == before  # no reservation held for the allowed estimate
    budget = call("GET", "/api/v1/budgets/{id}", path_params={"id": reply.json["id"]}, ctx=ADMIN).json
    assert budget["reserved_usd"] == "0"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "deploy"}, "agent_id"),
        ({"agent_id": "agt_1"}, "action"),
        ({"agent_id": "agt_1", "action": "deploy", "estimated_cost_usd": "lots"}, "estimated_cost_usd"),
        ({"agent_id": "agt_1", "action": "deploy", "at": "yesterday"}, "at"),
        ({"agent_id": "agt_1", "action": "deploy", "surprise": 1}, "surprise"),
        (
            {"agent_id": "agt_1", "action": "deploy", "policy": BAD_POLICY},
            "policy",
        ),
        ({"agent_id": "agt_1", "action": "deploy", "policy": {"name": "x", "action": "permit"}}, "policy"),
    ],
)  # fmt: skip
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_written(tenant, nothing_written, body, field):
    reply = evaluate(body)
    assert reply.status == 400, reply.text
    assert any(str(d.get("field", "")).startswith(field) for d in reply.json["error"]["details"]), reply.text


def test_malformed_json_is_a_400(tenant, nothing_written):
    reply = call("POST", "/api/v1/policies/evaluate", raw_body="{not json", ctx=ADMIN)
    assert reply.status == 400


@pytest.mark.parametrize("role", ["viewer", "member", "team_lead"])
def test_below_admin_is_refused_with_403(tenant, nothing_written, role):
    reply = evaluate({"agent_id": "agt_1", "action": "deploy"}, ctx=user("t1", f"usr_{role}", role=role))
    assert reply.status == 403
    assert reply.json["error"]["code"] == "insufficient_role"


def test_an_agent_cannot_call_it(tenant, nothing_written):
    reply = evaluate({"agent_id": "agt_1", "action": "deploy"}, ctx=agent("t1", "agt_1"))
    assert reply.status == 403


def test_another_tenants_agent_or_policy_is_a_404(tenant):
    stored = policy("deny")
    before = table_items()
    foreign_agent = evaluate({"agent_id": "agt_1", "action": "deploy"}, ctx=OTHER_ADMIN)
    assert foreign_agent.status == 404, foreign_agent.text
    foreign_policy = evaluate({"agent_id": "agt_2", "action": "deploy", "policy_id": stored}, ctx=OTHER_ADMIN)
    assert foreign_policy.status == 404, foreign_policy.text
    own = evaluate({"agent_id": "agt_2", "action": "deploy"}, ctx=OTHER_ADMIN).json
    assert (own["decision"], own["matched_policy_ids"]) == ("allow", [])  # t1's deny does not reach t2
    assert table_items() == before


def test_the_route_may_only_read_the_table():
    from agentgate.routes import TABLE_WRITE, routes_by_key

    route = routes_by_key()["POST /api/v1/policies/evaluate"]
    assert route.grants == frozenset({"table:read"})
    assert TABLE_WRITE not in route.grants

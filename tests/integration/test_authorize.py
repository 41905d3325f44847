"""POST /api/v1/authorize: policies in order of precedence, the tenant default, the agent's budget,
analytics and audit (the pending path, through the state machine, is in test_approvals)."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import boto3
import pytest

from agentgate.models import ApprovalItem, AuditEntryItem, BudgetItem, BudgetSpendItem, tenant_pk
from tests.support.api import call
from tests.support.governance import agent, make_agent, make_tenant, user

AGENT = agent("t1", "agt_1")
ADMIN = user("t1")


@pytest.fixture
def tenant(aws):
    make_tenant("t1")
    make_tenant("t2")
    make_agent("t1", "agt_1", team="payments", tags=("prod",))
    return aws


def policy(action, conditions=None, ctx=ADMIN, **extra):
    body = {"name": f"{action} policy", "action": action, "conditions": conditions, **extra}
    reply = call("POST", "/api/v1/policies", body=body, ctx=ctx)
    assert reply.status == 201, reply.text
    return reply.json["id"]


def authorize(body, ctx=AGENT):
    return call("POST", "/api/v1/authorize", body=body, ctx=ctx)


def audit_actions(tenant_id="t1"):
    return [
        e.action for e in AuditEntryItem.query(tenant_pk(tenant_id), AuditEntryItem.sk.startswith("AUDIT#0"))
    ]


def analytics_records(env):
    kinesis = boto3.client("kinesis", region_name="us-east-1")
    stream = env["ANALYTICS_STREAM_NAME"]
    shard = kinesis.describe_stream(StreamName=stream)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = kinesis.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    return [json.loads(r["Data"]) for r in records]


ON_REFUNDS = {"all": [{"field": "action", "op": "eq", "value": "payments.refund"}]}


def test_with_no_policy_the_tenant_default_allows_and_says_so(tenant):
    reply = authorize({"action": "payments.refund"})
    assert reply.status == 200, reply.text
    assert reply.json["decision"] == "allow"
    assert reply.json["approval_id"] is None
    assert [r["kind"] for r in reply.json["reasons"]] == ["default"]


def test_a_deny_policy_denies_names_itself_and_is_audited(tenant):
    allow_id = policy("allow", ON_REFUNDS)
    deny_id = policy("deny", ON_REFUNDS)
    reply = authorize({"action": "payments.refund", "resource": "order/42"})
    assert reply.json["decision"] == "deny"
    assert [(r["policy_id"], r["effect"]) for r in reply.json["reasons"]] == [(deny_id, "deny")]
    assert allow_id not in {r["policy_id"] for r in reply.json["reasons"]}
    assert "authorization.denied" in audit_actions()


def test_an_allow_policy_allows_and_is_not_audited(tenant):
    allow_id = policy("allow", ON_REFUNDS)
    before = audit_actions()
    reply = authorize({"action": "payments.refund"})
    assert (reply.json["decision"], reply.json["reasons"][0]["policy_id"]) == ("allow", allow_id)
    assert audit_actions() == before


def test_the_tenant_default_can_be_deny(tenant):
    call("PUT", "/api/v1/policy-settings", body={"default_decision": "deny"}, ctx=ADMIN)
    policy("allow", {"all": [{"field": "action", "op": "glob", "value": "reports.*"}]})
    assert authorize({"action": "reports.read"}).json["decision"] == "allow"
    denied = authorize({"action": "payments.refund"}).json
    assert denied["decision"] == "deny"
    assert denied["reasons"][0]["kind"] == "default"


def test_a_policy_scoped_to_another_team_does_not_apply(tenant):
    policy("deny", ON_REFUNDS, scope={"teams": ["research"]})
    assert authorize({"action": "payments.refund"}).json["decision"] == "allow"


def test_conditions_see_context_cost_and_agent_tags(tenant):
    policy(
        "deny",
        {
            "all": [
                {"field": "agent.tags", "op": "contains", "value": "prod"},
                {"field": "context.amount", "op": "gt", "value": 1000},
                {"field": "estimated_cost_usd", "op": "gte", "value": "0.10"},
            ]
        },
    )
    small = {"action": "payments.refund", "context": {"amount": 10}, "estimated_cost_usd": "0.50"}
    large = {**small, "context": {"amount": 5000}}
    assert authorize(small).json["decision"] == "allow"
    assert authorize(large).json["decision"] == "deny"


def test_another_tenants_policies_do_not_apply(tenant):
    policy("deny", ON_REFUNDS, ctx=user("t2"))
    assert authorize({"action": "payments.refund"}).json["decision"] == "allow"


def agent_budget(max_usd="1.00"):
    reply = call(
        "POST",
        "/api/v1/budgets",
        body={"scope": "agent", "scope_id": "agt_1", "max_amount_usd": max_usd, "period": "daily"},
        ctx=ADMIN,
    )
    assert reply.status == 201, reply.text
    return BudgetItem.get(tenant_pk("t1"), BudgetItem.sk_for(reply.json["id"]))


def test_an_estimated_cost_above_what_the_budget_has_left_is_denied(tenant):
    agent_budget("1.00")
    reply = authorize({"action": "llm.call", "estimated_cost_usd": "2.50"})
    assert reply.json["decision"] == "deny"
    reason = reply.json["reasons"][0]
    assert (reason["kind"], reason["remaining_budget_usd"]) == ("budget", "1.00")
    assert authorize({"action": "llm.call", "estimated_cost_usd": "0.40"}).json["decision"] == "allow"


def test_an_exhausted_budget_denies_even_without_an_estimate(tenant):
    from agentgate.services.budgets import spend_sk

    budget = agent_budget("1.00")
    BudgetSpendItem(tenant_pk("t1"), spend_sk(budget, datetime.now(UTC)), spend_usd=Decimal("1.00")).save()
    reply = authorize({"action": "llm.call"})
    assert reply.json["decision"] == "deny"
    assert "exhausted" in reply.json["reasons"][0]["message"]
    assert "authorization.denied" in audit_actions()


def test_each_decision_is_counted_for_analytics(tenant):
    policy("deny", ON_REFUNDS)
    authorize({"action": "payments.refund"})
    authorize({"action": "reports.read"})
    decisions = [r["dims"]["decision"] for r in analytics_records(tenant) if r["kind"] == "authorization"]
    assert decisions == ["deny", "allow"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"action": ""},
        {"action": "x", "estimated_cost_usd": "-1"},
        {"action": "x", "estimated_cost_usd": "lots"},
        {"action": "x", "context": {"blob": "y" * 9000}},
        {"action": "x", "surprise": 1},
        {"action": "x", "context": "not an object"},
    ],
)
def test_bad_input_is_a_400_and_nothing_is_written(tenant, body):
    reply = authorize(body)
    assert reply.status == 400, reply.text
    assert audit_actions() == []
    assert list(ApprovalItem.query(tenant_pk("t1"), ApprovalItem.sk.startswith("APPROVAL#"))) == []
    assert [r for r in analytics_records(tenant) if r["kind"] == "authorization"] == []


def test_only_agents_call_authorize(tenant):
    reply = authorize({"action": "payments.refund"}, ctx=ADMIN)
    assert reply.status == 403
    assert reply.json["error"]["code"] == "caller_not_allowed"


def test_an_agent_that_no_longer_exists_is_refused(tenant):
    reply = authorize({"action": "payments.refund"}, ctx=agent("t2", "agt_1"))
    assert reply.status == 403
    assert reply.json["error"]["code"] == "agent_unknown"


def test_when_the_approval_workflow_cannot_start_the_answer_is_503_and_no_approval_is_left(
    tenant, monkeypatch
):
    from agentgate.platform.settings import reset_settings

    policy("require_approval", ON_REFUNDS)
    monkeypatch.setenv(
        "APPROVAL_STATE_MACHINE_ARN", "arn:aws:states:us-east-1:123456789012:stateMachine:no-such-machine"
    )
    reset_settings()
    reply = authorize({"action": "payments.refund"})
    assert reply.status == 503
    assert reply.headers["retry-after"] == "1"
    assert list(ApprovalItem.query(tenant_pk("t1"), ApprovalItem.sk.startswith("APPROVAL#"))) == []
    assert "authorization.pending" not in audit_actions()

"""Approvals end to end: /authorize starts the real approval state machine (ASL executed by moto,
Lambda tasks run in-process); people decide through the routes; timeouts escalate, then expire."""

import time

import boto3
import pytest
from moto import mock_aws

from agentgate.models import ApprovalItem, AuditEntryItem, DomainEventItem, tenant_pk
from infra.local.handlers import FunctionRunner
from infra.local.resources import provision
from infra.local.statemachines import MOTO_CONFIG, LambdaBridge
from tests.support.api import call
from tests.support.governance import agent, make_agent, make_tenant, user

AGENT = agent("t1", "agt_1", "approvals:read")
OTHER_AGENT = agent("t1", "agt_2", "approvals:read")
ADMIN = user("t1", "usr_admin", role="admin")
LEAD = user("t1", "usr_lead", role="team_lead")
MEMBER = user("t1", "usr_member", role="member")
OWNER_OF_AGENT = user("t1", "usr_owner", role="owner")  # registered agt_1
OTHER_TENANT = user("t2", "usr_x", role="owner")


@pytest.fixture
def states(monkeypatch):
    from tests.conftest import _reset_caches

    bridge = LambdaBridge(FunctionRunner())
    with mock_aws(config=MOTO_CONFIG):
        bridge.install()
        try:
            provisioned = provision()
            for name, value in provisioned.env.items():
                monkeypatch.setenv(name, value)
            _reset_caches()
            make_tenant("t1")
            make_tenant("t2")
            make_agent("t1", "agt_1", team="payments", created_by="usr_owner")
            make_agent("t1", "agt_2", team="payments")
            yield boto3.client("stepfunctions", region_name="us-east-1")
        finally:
            bridge.uninstall()
            _reset_caches()


def approval_policy(timeout=600, escalation=("role:owner",), four_eyes=None):
    body = {
        "name": "refunds need a lead",
        "conditions": {"all": [{"field": "action", "op": "eq", "value": "payments.refund"}]},
        "action": "require_approval",
        "approvers": ["role:team_lead"],
        "escalation_approvers": list(escalation),
        "approval_timeout_seconds": timeout,
    }
    if four_eyes is not None:
        body["four_eyes"] = four_eyes
    reply = call("POST", "/api/v1/policies", body=body, ctx=ADMIN)
    assert reply.status == 201, reply.text
    return reply.json


def request_refund(ctx=AGENT):
    reply = call(
        "POST", "/api/v1/authorize", body={"action": "payments.refund", "context": {"amount": 900}}, ctx=ctx
    )
    assert reply.status == 200, reply.text
    return reply.json


def stored(approval_id, tenant_id="t1"):
    return ApprovalItem.get(tenant_pk(tenant_id), ApprovalItem.sk_for(approval_id), consistent_read=True)


def wait_until(predicate, seconds=20.0):
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.05)


def waiting(approval_id, stage="initial"):
    wait_until(lambda: stored(approval_id).task_token is not None and stored(approval_id).stage == stage)


def finished(sfn, approval_id):
    arn = stored(approval_id).execution_arn
    wait_until(lambda: sfn.describe_execution(executionArn=arn)["status"] != "RUNNING")
    return sfn.describe_execution(executionArn=arn)["status"]


def decide(verb, approval_id, ctx, comment=None):
    body = {"comment": comment} if comment else None
    return call(
        "POST", f"/api/v1/approvals/{{id}}/{verb}", path_params={"id": approval_id}, body=body, ctx=ctx
    )


def audit_actions(tenant_id="t1"):
    return [
        e.action for e in AuditEntryItem.query(tenant_pk(tenant_id), AuditEntryItem.sk.startswith("AUDIT#0"))
    ]


def event_types(tenant_id="t1"):
    return [
        e.type for e in DomainEventItem.query(tenant_pk(tenant_id), DomainEventItem.sk.startswith("EVENT#"))
    ]


def test_a_require_approval_policy_makes_authorize_pending_with_an_approval_id(states):
    policy = approval_policy()
    answer = request_refund()
    assert answer["decision"] == "pending"
    assert answer["approval_id"].startswith("apr_")
    assert [(r["kind"], r["policy_id"]) for r in answer["reasons"]] == [("policy", policy["id"])]
    waiting(answer["approval_id"])
    assert "approval.requested" in event_types()
    assert "authorization.pending" in audit_actions()


def test_an_approver_approves_the_execution_finishes_and_the_decision_is_audited(states):
    approval_policy()
    approval_id = request_refund()["approval_id"]
    waiting(approval_id)
    reply = decide("approve", approval_id, LEAD, comment="fine this once")
    assert reply.status == 200, reply.text
    assert (reply.json["status"], reply.json["decided_by"], reply.json["comment"]) == (
        "approved", "user:usr_lead", "fine this once",
    )  # fmt: skip
    assert finished(states, approval_id) == "SUCCEEDED"
    wait_until(lambda: "approval.approved" in audit_actions())
    seen_by_agent = call("GET", "/api/v1/approvals/{id}", path_params={"id": approval_id}, ctx=AGENT)
    assert seen_by_agent.json["status"] == "approved"
    assert "approval.decided" in event_types()


def test_an_approver_rejects_and_the_rejection_is_audited(states):
    approval_policy()
    approval_id = request_refund()["approval_id"]
    waiting(approval_id)
    assert decide("reject", approval_id, LEAD).json["status"] == "rejected"
    assert finished(states, approval_id) == "SUCCEEDED"
    wait_until(lambda: "approval.rejected" in audit_actions())
    assert stored(approval_id).status == "rejected"


def test_a_second_decision_is_a_409_and_changes_nothing(states):
    approval_policy()
    approval_id = request_refund()["approval_id"]
    waiting(approval_id)
    assert decide("approve", approval_id, LEAD).status == 200
    second = decide("reject", approval_id, ADMIN)
    assert second.status == 409
    assert second.json["error"]["code"] == "already_decided"
    assert stored(approval_id).status == "approved"
    assert stored(approval_id).decided_by == "user:usr_lead"


def test_without_four_eyes_the_agents_registrant_may_decide(states):
    approval_policy()
    approval_id = request_refund()["approval_id"]
    waiting(approval_id)
    assert stored(approval_id).four_eyes is False
    reply = decide("approve", approval_id, OWNER_OF_AGENT)
    assert reply.status == 200, reply.text
    assert (reply.json["status"], reply.json["decided_by"]) == ("approved", "user:usr_owner")
    assert finished(states, approval_id) == "SUCCEEDED"


def test_with_four_eyes_the_registrant_is_refused_and_told_who_can_decide(states):
    approval_policy(four_eyes=True)
    approval_id = request_refund()["approval_id"]
    waiting(approval_id)
    reply = decide("approve", approval_id, OWNER_OF_AGENT)
    assert reply.status == 403
    assert reply.json["error"]["code"] == "four_eyes"
    message = reply.json["error"]["message"]
    assert "you registered agent agt_1" in message and "role:team_lead" in message
    assert stored(approval_id).status == "pending"
    assert decide("approve", approval_id, LEAD).status == 200  # anyone else who approves may


def test_the_tenant_default_turns_four_eyes_on_for_policies_that_do_not_say(states):
    reply = call("PUT", "/api/v1/policy-settings", body={"four_eyes": True}, ctx=ADMIN)
    assert reply.status == 200, reply.text
    assert (reply.json["four_eyes"], reply.json["default_decision"]) == (True, "allow")
    approval_policy()
    approval_id = request_refund()["approval_id"]
    waiting(approval_id)
    assert decide("approve", approval_id, OWNER_OF_AGENT).json["error"]["code"] == "four_eyes"


def test_a_policy_saying_four_eyes_false_overrides_the_tenant_default(states):
    call("PUT", "/api/v1/policy-settings", body={"four_eyes": True}, ctx=ADMIN)
    approval_policy(four_eyes=False)
    approval_id = request_refund()["approval_id"]
    waiting(approval_id)
    assert decide("approve", approval_id, OWNER_OF_AGENT).status == 200


def test_a_user_who_is_not_an_approver_is_refused(states):
    approval_policy()
    approval_id = request_refund()["approval_id"]
    waiting(approval_id)
    reply = decide("approve", approval_id, MEMBER)
    assert reply.status == 403
    assert reply.json["error"]["code"] == "not_an_approver"
    assert stored(approval_id).status == "pending"


def test_an_agent_cannot_decide(states):
    approval_policy()
    approval_id = request_refund()["approval_id"]
    assert decide("approve", approval_id, AGENT).status == 403
    assert decide("approve", approval_id, OTHER_AGENT).status == 403
    assert stored(approval_id).status == "pending"


def test_a_timed_out_request_escalates_once_then_expires(states):
    approval_policy(timeout=1)
    approval_id = request_refund()["approval_id"]
    assert finished(states, approval_id) == "SUCCEEDED"
    item = stored(approval_id)
    assert (item.status, item.stage) == ("expired", "escalated")
    assert item.escalated_at is not None
    types = event_types()
    assert types.count("approval.requested") == 1
    assert types.count("approval.escalated") == 1
    assert "approval.decided" in types
    assert "approval.expired" in audit_actions()


def test_after_escalation_the_escalation_approvers_may_decide(states):
    approval_policy(timeout=3, escalation=("usr_cfo",))
    approval_id = request_refund()["approval_id"]
    waiting(approval_id, stage="escalated")
    cfo = user("t1", "usr_cfo", role="member")
    reply = decide("approve", approval_id, cfo)
    if reply.status == 409:  # the escalated wait (1 s) ran out first: it expired, as it should
        assert reply.json["error"]["code"] in {"already_decided", "approval_moved_on"}
        return
    assert reply.status == 200, reply.text
    assert finished(states, approval_id) == "SUCCEEDED"
    assert stored(approval_id).status == "approved"


def test_without_escalation_approvers_a_timed_out_request_expires_directly(states):
    approval_policy(timeout=1, escalation=())
    approval_id = request_refund()["approval_id"]
    assert finished(states, approval_id) == "SUCCEEDED"
    item = stored(approval_id)
    assert (item.status, item.stage) == ("expired", "initial")
    assert "approval.escalated" not in event_types()


def test_approvers_list_what_waits_for_them(states):
    approval_policy()
    approval_id = request_refund()["approval_id"]
    waiting(approval_id)
    mine = call("GET", "/api/v1/approvals", query={"waiting_for_me": "true"}, ctx=LEAD).json["items"]
    assert [a["id"] for a in mine] == [approval_id]
    not_mine = call("GET", "/api/v1/approvals", query={"waiting_for_me": "true"}, ctx=MEMBER).json["items"]
    assert not_mine == []
    everything = call("GET", "/api/v1/approvals", ctx=MEMBER).json["items"]
    assert [a["id"] for a in everything] == [approval_id]


def test_an_agent_sees_only_its_own_approvals(states):
    approval_policy()
    approval_id = request_refund()["approval_id"]
    assert [a["id"] for a in call("GET", "/api/v1/approvals", ctx=AGENT).json["items"]] == [approval_id]
    assert call("GET", "/api/v1/approvals", ctx=OTHER_AGENT).json["items"] == []
    reply = call("GET", "/api/v1/approvals/{id}", path_params={"id": approval_id}, ctx=OTHER_AGENT)
    assert reply.status == 404


def test_a_bad_status_filter_is_a_400(states):
    reply = call("GET", "/api/v1/approvals", query={"status": "maybe"}, ctx=ADMIN)
    assert reply.status == 400
    assert reply.json["error"]["details"][0]["field"] == "status"


def test_a_bad_decision_body_is_a_400_and_nothing_is_decided(states):
    approval_policy()
    approval_id = request_refund()["approval_id"]
    waiting(approval_id)
    too_long = {"comment": "x" * 1001}
    reply = call(
        "POST", "/api/v1/approvals/{id}/approve", path_params={"id": approval_id}, body=too_long, ctx=LEAD
    )
    assert reply.status == 400
    assert stored(approval_id).status == "pending"


@pytest.mark.parametrize(
    ("method", "resource"),
    [
        ("GET", "/api/v1/approvals/{id}"),
        ("POST", "/api/v1/approvals/{id}/approve"),
        ("POST", "/api/v1/approvals/{id}/reject"),
    ],
)
def test_another_tenant_gets_404_for_an_approval_id(states, method, resource):
    approval_policy()
    approval_id = request_refund()["approval_id"]
    waiting(approval_id)
    reply = call(method, resource, path_params={"id": approval_id}, ctx=OTHER_TENANT)
    assert reply.status == 404
    assert stored(approval_id).status == "pending"
    assert call("GET", "/api/v1/approvals", ctx=OTHER_TENANT).json["items"] == []

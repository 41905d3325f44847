"""The kill switch: pause-all / resume-all for the tenant, bulk pause by team or tag, and a valid
agent token refused by the real authorizer after pause-all."""

import pytest

from agentgate.auth.state import state_cache
from agentgate.models import AgentItem, AuditEntryItem, DomainEventItem, TenantItem, tenant_pk
from functions.authorizer import handler as authorizer
from infra.local.apigw import LambdaContext, authorizer_request_event
from tests.support.api import call
from tests.support.governance import make_agent, make_tenant, user
from tests.support.oauth import make_client, token_for

ADMIN = user("t1")


@pytest.fixture
def tenant(aws):
    make_tenant("t1")
    make_tenant("t2")
    make_agent("t1", "agt_pay_1", team="payments", tags=("prod",))
    make_agent("t1", "agt_pay_2", team="payments")
    make_agent("t1", "agt_res_1", team="research", tags=("prod",))


def status(tenant_id="t1"):
    return TenantItem.get(tenant_pk(tenant_id), TenantItem.SK).status


def agent_status(agent_id):
    return AgentItem.get(tenant_pk("t1"), AgentItem.sk_for(agent_id)).status


def audit_actions(tenant_id="t1"):
    return [
        e.action for e in AuditEntryItem.query(tenant_pk(tenant_id), AuditEntryItem.sk.startswith("AUDIT#0"))
    ]


def event_types(tenant_id="t1"):
    return [
        e.type for e in DomainEventItem.query(tenant_pk(tenant_id), DomainEventItem.sk.startswith("EVENT#"))
    ]


def pause_all(body=None, ctx=ADMIN):
    return call("POST", "/api/v1/emergency/pause-all", body=body, ctx=ctx)


def resume_all(body=None, ctx=ADMIN):
    return call("POST", "/api/v1/emergency/resume-all", body=body, ctx=ctx)


def test_pause_all_pauses_the_tenant_audits_and_emits(tenant):
    reply = pause_all({"reason": "runaway agent"})
    assert reply.status == 200, reply.text
    assert (reply.json["status"], reply.json["scope"]) == ("paused", "tenant")
    assert status() == "paused"
    assert status("t2") == "active"
    assert audit_actions().count("emergency.paused") == 1
    assert event_types() == ["emergency.paused"]


def test_pause_all_twice_changes_nothing_the_second_time(tenant):
    pause_all()
    assert pause_all().json["status"] == "paused"
    assert audit_actions().count("emergency.paused") == 1


def test_resume_all_makes_the_tenant_active_again(tenant):
    pause_all()
    reply = resume_all()
    assert reply.json["status"] == "active"
    assert status() == "active"
    assert "emergency.resumed" in audit_actions()
    assert event_types() == ["emergency.paused", "emergency.resumed"]


def test_pause_by_team_pauses_only_that_teams_agents(tenant):
    reply = pause_all({"team": "payments"})
    assert reply.status == 200, reply.text
    assert sorted(reply.json["paused_agent_ids"]) == ["agt_pay_1", "agt_pay_2"]
    assert (agent_status("agt_pay_1"), agent_status("agt_pay_2"), agent_status("agt_res_1")) == (
        "paused", "paused", "active",
    )  # fmt: skip
    assert status() == "active"
    assert event_types().count("agent.paused") == 2


def test_pause_by_tag_pauses_the_tagged_agents_and_resume_by_tag_undoes_it(tenant):
    assert sorted(pause_all({"tag": "prod"}).json["paused_agent_ids"]) == ["agt_pay_1", "agt_res_1"]
    assert agent_status("agt_pay_2") == "active"
    assert sorted(resume_all({"tag": "prod"}).json["resumed_agent_ids"]) == ["agt_pay_1", "agt_res_1"]
    assert agent_status("agt_res_1") == "active"


@pytest.mark.parametrize(
    "body", [{"team": "payments", "tag": "prod"}, {"team": ""}, {"reason": "x" * 513}, {"everything": True}]
)
def test_bad_input_is_a_400_and_nothing_is_paused(tenant, body):
    reply = pause_all(body)
    assert reply.status == 400, reply.text
    assert status() == "active"
    assert agent_status("agt_pay_1") == "active"
    assert audit_actions() == []


def test_malformed_json_is_a_400(tenant):
    reply = call("POST", "/api/v1/emergency/pause-all", raw_body="{", ctx=ADMIN)
    assert reply.status == 400
    assert status() == "active"


def test_the_kill_switch_needs_the_admin_role(tenant):
    reply = pause_all(ctx=user("t1", "usr_lead", role="team_lead"))
    assert reply.status == 403
    assert status() == "active"


def test_another_tenant_cannot_reach_these_agents(tenant):
    reply = pause_all({"team": "payments"}, ctx=user("t2"))
    assert reply.json["paused_agent_ids"] == []
    assert agent_status("agt_pay_1") == "active"


def _authorize(token):
    event = authorizer_request_event(
        "POST", "/api/v1/authorize", "/api/v1/authorize", {"Authorization": f"Bearer {token}"}
    )
    return authorizer(event, LambdaContext(function_name="authorizer"))["policyDocument"]["Statement"][0][
        "Effect"
    ]


def test_an_agent_token_issued_before_pause_all_is_refused_after_it(aws, monkeypatch):
    client = make_client()
    token = token_for(client)
    monkeypatch.setattr(state_cache, "max_age", 3600.0)
    assert _authorize(token) == "Allow"

    reply = pause_all(ctx=user(client.tenant_id))
    assert reply.status == 200, reply.text
    monkeypatch.setattr(state_cache, "max_age", 0.0)  # the authorizer's cache lifetime has passed

    assert _authorize(token) == "Deny"
    resume_all(ctx=user(client.tenant_id))
    assert _authorize(token) == "Allow"

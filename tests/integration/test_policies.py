"""Policies over the API: CRUD, write-time checks of conditions, admin-only writes, tenancy."""

import pytest

from agentgate.models import PolicyItem, tenant_pk
from tests.support.api import call
from tests.support.governance import make_tenant, user

ADMIN = user("t1")
OTHER_TENANT_ADMIN = user("t2")

REFUND_APPROVAL = {
    "name": "large refunds need a person",
    "scope": {"teams": ["payments"]},
    "conditions": {
        "all": [
            {"field": "action", "op": "glob", "value": "payments.refund*"},
            {"field": "context.amount", "op": "gt", "value": 500},
        ]
    },
    "action": "require_approval",
    "approvers": ["role:team_lead", "alice@example.com"],
    "escalation_approvers": ["role:owner"],
    "approval_timeout_seconds": 600,
}


def stored_policies(tenant_id="t1"):
    return list(PolicyItem.query(tenant_pk(tenant_id), PolicyItem.sk.startswith("POLICY#")))


@pytest.fixture
def tenants(aws):
    make_tenant("t1")
    make_tenant("t2")


def create(body=REFUND_APPROVAL, ctx=ADMIN):
    return call("POST", "/api/v1/policies", body=body, ctx=ctx)


def test_an_admin_creates_a_policy_and_gets_it_back(tenants):
    reply = create()
    assert reply.status == 201, reply.text
    created = reply.json
    assert created["id"].startswith("pol_")
    assert created["scope"] == {"agents": [], "teams": ["payments"]}
    assert created["conditions"] == REFUND_APPROVAL["conditions"]
    assert created["status"] == "active"
    fetched = call(
        "GET",
        "/api/v1/policies/{id}",
        path_params={"id": created["id"]},
        ctx=user("t1", "usr_v", role="viewer"),
    )
    assert fetched.status == 200
    assert fetched.json == created


def test_a_require_approval_policy_without_a_timeout_gets_the_default_hour(tenants):
    body = {k: v for k, v in REFUND_APPROVAL.items() if k != "approval_timeout_seconds"}
    assert create(body).json["approval_timeout_seconds"] == 3600


def test_policies_are_listed_in_creation_order_and_filtered_by_status(tenants):
    first = create().json["id"]
    second = create({**REFUND_APPROVAL, "name": "off", "status": "disabled"}).json["id"]
    assert [p["id"] for p in call("GET", "/api/v1/policies", ctx=ADMIN).json["items"]] == [first, second]
    disabled = call("GET", "/api/v1/policies", query={"status": "disabled"}, ctx=ADMIN).json["items"]
    assert [p["id"] for p in disabled] == [second]


@pytest.mark.parametrize(
    ("conditions", "field_words"),
    [
        ({"all": [{"field": "agent.name", "op": "eq", "value": "x"}]}, "unknown field"),
        ({"all": [{"field": "action", "op": "between", "value": "x"}]}, "unknown operator"),
        ({"all": [{"field": "estimated_cost_usd", "op": "gt", "value": "a lot"}]}, "must be a number"),
        ({"any": []}, "non-empty"),
        ({"field": "action", "op": "eq", "value": "x"}, "top level"),
    ],
)
def test_malformed_conditions_are_a_400_naming_the_problem_and_nothing_is_written(
    tenants, conditions, field_words
):
    reply = create({**REFUND_APPROVAL, "conditions": conditions})
    assert reply.status == 400
    error = reply.json["error"]
    assert error["details"][0]["field"] == "conditions"
    assert field_words in error["details"][0]["message"]
    assert stored_policies() == []


@pytest.mark.parametrize(
    "patch",
    [
        {"action": "permit"},
        {"approvers": ["role:superuser"]},
        {"approval_timeout_seconds": 0},
        {"scope": {"agents": ["no spaces allowed"]}},
        {"surprise": True},
        {"name": ""},
    ],
)
def test_bad_fields_are_a_400_and_nothing_is_written(tenants, patch):
    reply = create({**REFUND_APPROVAL, **patch})
    assert reply.status == 400, reply.text
    assert stored_policies() == []


def test_a_timeout_on_an_allow_policy_is_refused(tenants):
    reply = create({"name": "x", "action": "allow", "approval_timeout_seconds": 60})
    assert reply.status == 400
    assert stored_policies() == []


def test_malformed_json_is_a_400(tenants):
    reply = call("POST", "/api/v1/policies", raw_body="{not json", ctx=ADMIN)
    assert reply.status == 400
    assert stored_policies() == []


def test_writes_need_the_admin_role(tenants):
    reply = create(ctx=user("t1", "usr_m", role="team_lead"))
    assert reply.status == 403
    assert reply.json["error"]["code"] == "insufficient_role"
    assert stored_policies() == []


def test_an_agent_cannot_manage_policies(tenants):
    from tests.support.governance import agent

    assert create(ctx=agent("t1", "agt_1")).status == 403


def test_patch_changes_only_the_given_fields(tenants):
    policy = create().json
    reply = call(
        "PATCH",
        "/api/v1/policies/{id}",
        path_params={"id": policy["id"]},
        body={"status": "disabled"},
        ctx=ADMIN,
    )
    assert reply.status == 200, reply.text
    assert reply.json["status"] == "disabled"
    assert reply.json["conditions"] == policy["conditions"]
    assert reply.json["updated_at"] is not None


def test_patch_to_allow_drops_the_approval_settings(tenants):
    policy = create().json
    reply = call(
        "PATCH",
        "/api/v1/policies/{id}",
        path_params={"id": policy["id"]},
        body={"action": "allow"},
        ctx=ADMIN,
    )
    assert reply.status == 200, reply.text
    assert (reply.json["escalation_approvers"], reply.json["approval_timeout_seconds"]) == ([], None)


def test_a_patch_with_a_malformed_condition_is_a_400_and_changes_nothing(tenants):
    policy = create().json
    bad = {"conditions": {"all": [{"field": "time.hour", "op": "eq", "value": 25}]}}
    reply = call("PATCH", "/api/v1/policies/{id}", path_params={"id": policy["id"]}, body=bad, ctx=ADMIN)
    assert reply.status == 400
    assert "hour" in reply.json["error"]["details"][0]["message"]
    assert stored_policies()[0].conditions == REFUND_APPROVAL["conditions"]


def test_delete_removes_the_policy(tenants):
    policy = create().json
    reply = call("DELETE", "/api/v1/policies/{id}", path_params={"id": policy["id"]}, ctx=ADMIN)
    assert reply.status == 204
    assert stored_policies() == []
    assert call("GET", "/api/v1/policies/{id}", path_params={"id": policy["id"]}, ctx=ADMIN).status == 404


@pytest.mark.parametrize(
    ("method", "resource", "body"),
    [
        ("GET", "/api/v1/policies/{id}", None),
        ("PATCH", "/api/v1/policies/{id}", {"status": "disabled"}),
        ("DELETE", "/api/v1/policies/{id}", None),
    ],
)
def test_another_tenant_gets_404_for_a_policy_id(tenants, method, resource, body):
    policy = create().json
    reply = call(method, resource, path_params={"id": policy["id"]}, body=body, ctx=OTHER_TENANT_ADMIN)
    assert reply.status == 404
    assert stored_policies()[0].status == "active"


def test_another_tenant_lists_none_of_them(tenants):
    create()
    assert call("GET", "/api/v1/policies", ctx=OTHER_TENANT_ADMIN).json["items"] == []


def test_the_tenant_default_is_allow_until_an_admin_sets_it(tenants):
    assert call("GET", "/api/v1/policy-settings", ctx=ADMIN).json["default_decision"] == "allow"
    reply = call("PUT", "/api/v1/policy-settings", body={"default_decision": "deny"}, ctx=ADMIN)
    assert reply.status == 200
    assert call("GET", "/api/v1/policy-settings", ctx=ADMIN).json["default_decision"] == "deny"
    assert call("GET", "/api/v1/policy-settings", ctx=OTHER_TENANT_ADMIN).json["default_decision"] == "allow"


def test_a_bad_default_is_a_400_and_keeps_allow(tenants):
    reply = call("PUT", "/api/v1/policy-settings", body={"default_decision": "maybe"}, ctx=ADMIN)
    assert reply.status == 400
    assert call("GET", "/api/v1/policy-settings", ctx=ADMIN).json["default_decision"] == "allow"


def test_policies_page_with_limit_and_cursor(tenants):
    ids = [create({**REFUND_APPROVAL, "name": f"p{i}"}).json["id"] for i in range(3)]
    first = call("GET", "/api/v1/policies", query={"limit": 2}, ctx=ADMIN).json
    assert [p["id"] for p in first["items"]] == ids[:2]
    rest = call("GET", "/api/v1/policies", query={"limit": 2, "cursor": first["next_cursor"]}, ctx=ADMIN).json
    assert [p["id"] for p in rest["items"]] == ids[2:]


def test_another_tenants_cursor_is_a_400(tenants):
    create()
    create({**REFUND_APPROVAL, "name": "second"})
    cursor = call("GET", "/api/v1/policies", query={"limit": 1}, ctx=ADMIN).json["next_cursor"]
    reply = call("GET", "/api/v1/policies", query={"cursor": cursor}, ctx=OTHER_TENANT_ADMIN)
    assert reply.status == 400
    assert reply.json["error"]["details"][0]["field"] == "cursor"

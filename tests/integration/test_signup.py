"""Sign-up, sign-in, refresh, sign-out and the organisation profile, through the real handlers."""

import boto3
import jwt
import pytest

from agentgate.models import MembershipItem, TenantItem, UserItem
from agentgate.platform.settings import get_settings
from agentgate.platform.tenancy import Caller, Role
from agentgate.services import members
from tests.support.api import call
from tests.support.identity import (
    PASSWORD,
    as_api_key,
    as_role,
    cognito_emails,
    item_keys,
    new_tenant,
    signup,
)


def test_signup_creates_a_free_tier_tenant_with_its_owner_and_answers_tokens(aws):
    reply = signup("Acme Robotics", email="Ada@Acme.test")

    assert reply.status == 201, reply.text
    body = reply.json
    tenant = TenantItem.get(f"TENANT#{body['tenant_id']}", TenantItem.SK)
    assert (tenant.name, tenant.tier, tenant.status, tenant.owner_count) == (
        "Acme Robotics",
        "free",
        "active",
        1,
    )
    membership = MembershipItem.get(tenant.pk, MembershipItem.sk_for(body["user_id"]))
    assert (membership.email, membership.role) == ("ada@acme.test", "owner")
    claims = jwt.decode(body["tokens"]["access_token"], options={"verify_signature": False})
    assert claims["sub"] == body["user_id"]
    assert body["tokens"]["refresh_token"] and body["tokens"]["expires_in"] > 0


def test_signup_gives_the_tenant_its_own_api_gateway_key_on_the_free_usage_plan(aws):
    tenant_a = TenantItem.get(f"TENANT#{signup().json['tenant_id']}", TenantItem.SK)
    tenant_b = TenantItem.get(f"TENANT#{signup().json['tenant_id']}", TenantItem.SK)

    apigateway = boto3.client("apigateway")
    free_plan = get_settings().usage_plan_ids["free"]
    plan_keys = {k["id"]: k["value"] for k in apigateway.get_usage_plan_keys(usagePlanId=free_plan)["items"]}
    assert plan_keys[tenant_a.usage_key_id] == tenant_a.usage_key
    assert plan_keys[tenant_b.usage_key_id] == tenant_b.usage_key
    assert tenant_a.usage_key != tenant_b.usage_key


def test_the_owner_context_is_found_by_cognito_sub(aws):
    reply = signup(email="grace@acme.test")

    ctx = members.context_for_user(reply.json["user_id"], None)

    assert ctx is not None
    assert ctx.tenant_id == reply.json["tenant_id"]
    assert (ctx.principal.kind, ctx.principal.role, ctx.principal.email) == (
        Caller.USER,
        Role.OWNER,
        "grace@acme.test",
    )
    assert ctx.tier == "free"


def test_an_unknown_cognito_user_has_no_context(aws):
    assert members.context_for_user("no-such-sub", "x@y.test") is None


def test_signup_with_a_registered_email_is_a_conflict_and_writes_nothing(aws):
    signup(email="taken@acme.test")
    before = item_keys()

    reply = signup("Other", email="taken@acme.test")

    assert reply.status == 409
    assert reply.json["error"]["code"] == "email_taken"
    assert item_keys() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "a@acme.test", "password": PASSWORD}, "org_name"),
        ({"org_name": "A", "password": PASSWORD}, "email"),
        ({"org_name": "A", "email": "a@acme.test"}, "password"),
        ({"org_name": "x" * 101, "email": "a@acme.test", "password": PASSWORD}, "org_name"),
        ({"org_name": "A", "email": "not-an-email", "password": PASSWORD}, "email"),
        ({"org_name": "A", "email": "a@acme.test", "password": "short"}, "password"),
        ({"org_name": "A", "email": "a@acme.test", "password": "p" * 257}, "password"),
        ({"org_name": "A", "email": "a@acme.test", "password": PASSWORD, "tier": "enterprise"}, "tier"),
    ],
    ids=[
        "missing-org",
        "missing-email",
        "missing-password",
        "long-org",
        "bad-email",
        "short-password",
        "long-password",
        "unknown-field",
    ],
)
def test_bad_signup_is_400_naming_the_field_and_writes_nothing(aws, body, field):
    reply = call("POST", "/api/v1/auth/signup", body=body)

    assert reply.status == 400, reply.text
    assert field in {d["field"] for d in reply.json["error"]["details"]}
    assert item_keys() == set()
    assert cognito_emails() == set()


def test_malformed_json_signup_is_400_and_writes_nothing(aws):
    reply = call("POST", "/api/v1/auth/signup", raw_body='{"org_name": "A", ')

    assert reply.status == 400
    assert reply.json["error"]["code"] == "malformed_json"
    assert item_keys() == set()


def test_login_answers_tokens_for_the_right_password(aws):
    signup(email="lin@acme.test")

    reply = call("POST", "/api/v1/auth/login", body={"email": "lin@acme.test", "password": PASSWORD})

    assert reply.status == 200, reply.text
    assert set(reply.json["tokens"]) >= {"id_token", "access_token", "refresh_token", "expires_in"}


@pytest.mark.parametrize("email", ["lin@acme.test", "nobody@acme.test"])
def test_login_with_a_wrong_password_or_unknown_email_is_401(aws, email):
    signup(email="lin@acme.test")

    reply = call("POST", "/api/v1/auth/login", body={"email": email, "password": "wrong password!"})

    assert reply.status == 401
    assert reply.json["error"]["code"] == "invalid_credentials"


def test_refresh_token_answers_new_tokens(aws):
    refresh_token = signup().json["tokens"]["refresh_token"]

    reply = call("POST", "/api/v1/auth/refresh-token", body={"refresh_token": refresh_token})

    assert reply.status == 200, reply.text
    assert reply.json["tokens"]["access_token"]


def test_an_unknown_refresh_token_is_401(aws):
    reply = call("POST", "/api/v1/auth/refresh-token", body={"refresh_token": "not-a-token"})

    assert reply.status == 401


def test_logout_signs_out_everywhere_so_the_refresh_token_stops_working(aws):
    first = signup()
    ctx = members.context_for_user(first.json["user_id"], None)

    reply = call("POST", "/api/v1/auth/logout", ctx=ctx)

    assert reply.status == 204, reply.text
    refreshed = call(
        "POST", "/api/v1/auth/refresh-token", body={"refresh_token": first.json["tokens"]["refresh_token"]}
    )
    assert refreshed.status == 401


def test_logout_with_an_api_key_is_400(aws):
    _, owner = new_tenant()

    reply = call("POST", "/api/v1/auth/logout", ctx=as_api_key(owner, "admin"))

    assert reply.status == 400
    assert reply.json["error"]["code"] == "not_a_user"


def test_profile_shows_the_callers_own_organisation(aws):
    tenant_id, owner = new_tenant("Acme")
    _, other = new_tenant("Globex")

    mine = call("GET", "/api/v1/orgs/profile", ctx=as_role(owner, Role.VIEWER))
    theirs = call("GET", "/api/v1/orgs/profile", ctx=other)

    assert mine.status == 200
    assert (mine.json["tenant_id"], mine.json["name"], mine.json["tier"]) == (tenant_id, "Acme", "free")
    assert theirs.json["name"] == "Globex"


def test_an_admin_renames_the_organisation_and_the_change_is_audited(aws):
    tenant_id, owner = new_tenant("Acme")

    reply = call("PATCH", "/api/v1/orgs/profile", body={"name": "Acme Inc"}, ctx=as_role(owner, Role.ADMIN))

    assert reply.status == 200, reply.text
    assert reply.json["name"] == "Acme Inc"
    assert TenantItem.get(f"TENANT#{tenant_id}", TenantItem.SK).name == "Acme Inc"
    log = call("GET", "/api/v1/audit", query={"action": "org.updated"}, ctx=owner).json["items"]
    assert log[0]["details"]["name"] == {"from": "Acme", "to": "Acme Inc"}


@pytest.mark.parametrize(
    ("body", "field"), [({"name": ""}, "name"), ({"name": "A", "tier": "pro"}, "tier"), ({}, "name")]
)
def test_bad_profile_update_is_400_and_changes_nothing(aws, body, field):
    tenant_id, owner = new_tenant("Acme")

    reply = call("PATCH", "/api/v1/orgs/profile", body=body, ctx=owner)

    assert reply.status == 400
    assert field in {d["field"] for d in reply.json["error"]["details"]}
    tenant = TenantItem.get(f"TENANT#{tenant_id}", TenantItem.SK)
    assert (tenant.name, tenant.tier) == ("Acme", "free")


def test_the_user_lookup_mirrors_the_membership(aws):
    reply = signup()

    user = UserItem.get(UserItem.pk_for(reply.json["user_id"]), UserItem.SK)

    assert (user.tenant_id, user.role) == (reply.json["tenant_id"], "owner")


def test_a_password_the_pool_policy_refuses_is_400_naming_password_and_leaves_no_user(aws):
    # The deployed pool's policy (CDK): upper and lower case, a digit and a symbol.
    boto3.client("cognito-idp").update_user_pool(
        UserPoolId=get_settings().user_pool_id,
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 12,
                "RequireUppercase": True,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": True,
            }
        },
    )

    reply = call(
        "POST",
        "/api/v1/auth/signup",
        body={"org_name": "A", "email": "weak@acme.test", "password": "alllowercaseletters"},
    )

    assert reply.status == 400, reply.text
    assert reply.json["error"]["details"][0]["field"] == "password"
    assert item_keys() == set()
    assert cognito_emails() == set()

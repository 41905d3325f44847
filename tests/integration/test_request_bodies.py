"""Bodies a JSON route cannot read are refused before the route runs: 400 or 415, nothing written.

And values Cognito refuses are the caller's: a 400 naming the field, never a 5xx.
"""

import pytest

from agentgate.platform.tenancy import Role, authorizer_context
from infra.local.apigw import LambdaContext, rest_event
from tests.support.api import call
from tests.support.identity import as_api_key, as_role, cognito_emails, item_keys, new_tenant, signup

NOT_UTF8 = b"\x0fe\xff"


def test_a_body_that_is_not_utf8_is_a_400_naming_the_body_and_nothing_is_written(aws):
    _, owner = new_tenant()
    before = item_keys()

    reply = call("POST", "/api/v1/budgets", raw_body=NOT_UTF8, ctx=owner)

    assert reply.status == 400, reply.text
    assert reply.json["error"]["code"] == "malformed_body"
    assert reply.json["error"]["details"][0]["field"] == "body"
    assert item_keys() == before


@pytest.mark.parametrize(
    ("method", "resource"),
    [
        ("POST", "/api/v1/auth/login"),
        ("POST", "/api/v1/auth/signup"),
        ("POST", "/api/v1/auth/refresh-token"),
        ("POST", "/api/v1/ingest/batch"),
        ("PUT", "/api/v1/policy-settings"),
        ("PATCH", "/api/v1/orgs/profile"),
    ],
)
def test_every_json_route_refuses_bytes_that_are_not_utf8(aws, method, resource):
    _, owner = new_tenant()
    caller = as_api_key(owner, "ingest") if resource.startswith("/api/v1/ingest") else owner

    reply = call(method, resource, raw_body=NOT_UTF8, ctx=caller)

    assert reply.status == 400, reply.text
    assert reply.json["error"]["code"] == "malformed_body"


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",
        "multipart/form-data; boundary=x",
        "text/plain",
        "application/json; charset=latin-1",
    ],
)
def test_a_body_in_another_media_type_is_a_415_and_nothing_is_written(aws, content_type):
    _, owner = new_tenant()
    before = item_keys()

    reply = call(
        "POST",
        "/api/v1/budgets",
        body={"name": "cap", "scope": "org", "max_amount_usd": "10", "period": "daily"},
        headers={"Content-Type": content_type},
        ctx=owner,
    )

    assert reply.status == 415, reply.text
    assert reply.json["error"]["code"] == "unsupported_media_type"
    assert reply.json["error"]["details"][0]["field"] == "Content-Type"
    assert item_keys() == before


def test_a_json_body_without_a_content_type_is_still_read(aws):
    _, owner = new_tenant()
    event = rest_event(
        "POST",
        "/api/v1/budgets",
        "/api/v1/budgets",
        body='{"name": "cap", "scope": "org", "max_amount_usd": "10", "period": "daily"}',
        headers={},
        authorizer=authorizer_context(owner),
    )
    from functions.budgets_create import handler

    result = handler(event, LambdaContext(function_name="budgets_create"))

    assert result["statusCode"] == 201, result["body"]


def test_a_body_that_is_not_base64_when_it_says_so_is_a_400(aws):
    event = rest_event("POST", "/api/v1/auth/login", "/api/v1/auth/login", body="{}", headers={})
    event["body"], event["isBase64Encoded"] = "not base64!", True
    from functions.auth_login import handler

    result = handler(event, LambdaContext(function_name="auth_login"))

    assert result["statusCode"] == 400
    assert '"malformed_body"' in result["body"]


def test_signup_with_an_address_cognito_refuses_is_a_400_on_email_and_leaves_no_user(aws):
    before = cognito_emails()

    reply = signup(email="0@0.0")

    assert reply.status == 400, reply.text
    assert reply.json["error"]["details"][0]["field"] == "email"
    assert cognito_emails() == before


def test_inviting_an_address_cognito_refuses_is_a_400_on_email_and_writes_nothing(aws):
    _, owner = new_tenant()
    before = item_keys()

    reply = call(
        "POST",
        "/api/v1/org-members",
        body={"email": "0@0.0", "role": "member"},
        ctx=as_role(owner, Role.ADMIN),
    )

    assert reply.status == 400, reply.text
    assert reply.json["error"]["details"][0]["field"] == "email"
    assert item_keys() == before

"""POST /oauth2/token: client_credentials with both client authentication methods, and RFC 6749 errors."""

from __future__ import annotations

import jwt
import pytest
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet

from agentgate.models import AgentItem, TenantItem
from tests.support.api import call
from tests.support.oauth import (
    FORM,
    basic,
    make_client,
    make_tenant,
    post_form,
    request_token,
    set_status,
    table_items,
    token_for,
)


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def test_client_secret_basic_gets_an_es256_token_with_the_contract_claims(aws):
    client = make_client(scopes={"runs:write", "authorize"})

    reply = request_token(client)

    assert reply.status == 200, reply.text
    assert reply.headers["cache-control"] == "no-store"
    body = reply.json
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    assert body["scope"] == "authorize runs:write"
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "ES256" and header["kid"]
    claims = _claims(body["access_token"])
    assert claims["sub"] == client.agent_id and claims["tenant_id"] == client.tenant_id
    assert claims["client_id"] == client.client_id and claims["aud"] == "agentgate"
    assert claims["iss"] == "http://127.0.0.1:8000"
    assert claims["exp"] - claims["iat"] == 900 and claims["nbf"] == claims["iat"] and claims["jti"]


def test_client_secret_post_gets_a_token(aws):
    client = make_client()

    reply = post_form(
        "/oauth2/token",
        {
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": client.client_secret,
        },
    )

    assert reply.status == 200, reply.text
    assert _claims(reply.json["access_token"])["client_id"] == client.client_id


def test_an_issued_token_verifies_against_the_published_jwks_with_joserfc(aws):
    client = make_client()
    token = token_for(client)

    jwks = call("GET", "/.well-known/jwks.json").json

    decoded = jose_jwt.decode(token, KeySet.import_key_set(jwks), algorithms=["ES256"])
    assert decoded.header["kid"] in {k["kid"] for k in jwks["keys"]}
    assert decoded.claims["sub"] == client.agent_id


def test_the_token_lifetime_comes_from_settings(aws, monkeypatch):
    from agentgate.platform.settings import reset_settings

    monkeypatch.setenv("ACCESS_TOKEN_TTL_SECONDS", "120")
    reset_settings()
    client = make_client()

    reply = request_token(client)

    assert reply.json["expires_in"] == 120
    claims = _claims(reply.json["access_token"])
    assert claims["exp"] - claims["iat"] == 120


def test_a_requested_subset_of_scopes_is_granted(aws):
    client = make_client(scopes={"runs:write", "authorize"})

    reply = request_token(client, scope="runs:write")

    assert reply.json["scope"] == "runs:write"
    assert _claims(reply.json["access_token"])["scope"] == "runs:write"


def test_a_requested_audience_the_agent_lists_is_the_token_audience(aws):
    client = make_client(audiences=["https://tools.example.com"])

    reply = request_token(client, audience="https://tools.example.com")

    assert _claims(reply.json["access_token"])["aud"] == "https://tools.example.com"


def _refused(reply, status: int, error: str) -> None:
    assert reply.status == status, reply.text
    assert reply.json["error"] == error and reply.json["error_description"]
    assert "access_token" not in reply.json
    assert reply.headers["cache-control"] == "no-store"


def test_scope_escalation_is_invalid_scope_and_issues_nothing(aws):
    client = make_client(scopes={"runs:write"})
    before = table_items()

    reply = request_token(client, scope="runs:write agents:control")

    _refused(reply, 400, "invalid_scope")
    assert "agents:control" in reply.json["error_description"]
    assert table_items() == before


def test_a_wrong_secret_is_invalid_client_with_a_challenge(aws):
    client = make_client()
    client.client_secret = "ags_" + "x" * 43
    before = table_items()

    reply = request_token(client)

    _refused(reply, 401, "invalid_client")
    assert reply.headers["www-authenticate"].startswith("Basic")
    assert table_items() == before


def test_an_unknown_client_is_invalid_client(aws):
    make_tenant()
    before = table_items()

    reply = post_form(
        "/oauth2/token",
        {"grant_type": "client_credentials"},
        headers={"Authorization": basic("agc_unknown", "ags_whatever")},
    )

    _refused(reply, 401, "invalid_client")
    assert table_items() == before


def test_no_client_authentication_is_invalid_client(aws):
    reply = post_form("/oauth2/token", {"grant_type": "client_credentials"})

    _refused(reply, 401, "invalid_client")


def test_malformed_basic_credentials_are_invalid_client(aws):
    reply = post_form(
        "/oauth2/token", {"grant_type": "client_credentials"}, headers={"Authorization": "Basic %%%"}
    )

    _refused(reply, 401, "invalid_client")


def test_an_unsupported_grant_type_is_refused(aws):
    client = make_client()
    before = table_items()

    reply = request_token(client, grant_type="password")

    _refused(reply, 400, "unsupported_grant_type")
    assert table_items() == before


def test_a_missing_grant_type_is_invalid_request_naming_it(aws):
    client = make_client()

    reply = post_form(
        "/oauth2/token", {}, headers={"Authorization": basic(client.client_id, client.client_secret)}
    )

    _refused(reply, 400, "invalid_request")
    assert "grant_type" in reply.json["error_description"]


def test_two_client_authentication_methods_at_once_are_invalid_request(aws):
    client = make_client()

    reply = post_form(
        "/oauth2/token",
        {"grant_type": "client_credentials", "client_secret": client.client_secret},
        headers={"Authorization": basic(client.client_id, client.client_secret)},
    )

    _refused(reply, 400, "invalid_request")


def test_a_repeated_parameter_is_invalid_request(aws):
    client = make_client()

    reply = call(
        "POST",
        "/oauth2/token",
        raw_body="grant_type=client_credentials&scope=a&scope=b",
        headers={"Content-Type": FORM, "Authorization": basic(client.client_id, client.client_secret)},
    )

    _refused(reply, 400, "invalid_request")
    assert "scope" in reply.json["error_description"]


def test_a_json_body_is_invalid_request(aws):
    client = make_client()

    reply = call(
        "POST",
        "/oauth2/token",
        body={"grant_type": "client_credentials"},
        headers={"Authorization": basic(client.client_id, client.client_secret)},
    )

    _refused(reply, 400, "invalid_request")


def test_an_oversized_scope_is_invalid_request(aws):
    client = make_client()

    reply = request_token(client, scope="a" * 5000)

    _refused(reply, 400, "invalid_request")
    assert "scope" in reply.json["error_description"]


@pytest.mark.parametrize("item", ["agent", "tenant"])
def test_a_paused_agent_or_tenant_gets_no_token(aws, item):
    client = make_client()
    if item == "agent":
        set_status(AgentItem, client.tenant_id, AgentItem.sk_for(client.agent_id), "paused")
    else:
        set_status(TenantItem, client.tenant_id, TenantItem.SK, "paused")

    reply = request_token(client)

    _refused(reply, 403, "unauthorized_client")
    assert "paused" in reply.json["error_description"]


def test_a_deleted_agent_credential_is_invalid_client(aws):
    client = make_client()
    AgentItem.get(f"TENANT#{client.tenant_id}", AgentItem.sk_for(client.agent_id)).delete()

    _refused(request_token(client), 401, "invalid_client")


def _analytics_records() -> list[dict]:
    import json

    from agentgate.platform.aws import client
    from agentgate.platform.settings import get_settings

    kinesis = client("kinesis")
    stream = get_settings().analytics_stream
    records = []
    for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records += [json.loads(r["Data"]) for r in kinesis.get_records(ShardIterator=iterator)["Records"]]
    return records


def test_an_issued_token_is_recorded_for_analytics_and_a_refused_one_is_not(aws):
    client = make_client()

    request_token(client, scope="admin")  # refused: invalid_scope
    request_token(client)

    [record] = [r for r in _analytics_records() if r["kind"] == "token_issued"]
    assert record["tenant_id"] == client.tenant_id
    assert record["dims"]["agent_id"] == client.agent_id
    assert record["dims"]["grant_type"] == "client_credentials"


def test_an_expired_credential_is_invalid_client(aws):
    from datetime import UTC, datetime, timedelta

    from agentgate.models import CredentialItem

    client = make_client()
    item = CredentialItem.get(CredentialItem.pk_for(client.client_id), CredentialItem.SK)
    item.update(actions=[CredentialItem.expires_at.set(datetime.now(UTC) - timedelta(seconds=1))])

    _refused(request_token(client), 401, "invalid_client")

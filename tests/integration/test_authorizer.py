"""The REQUEST authorizer: agent tokens, API keys and Cognito user tokens; every forgery is a 401."""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from agentgate.auth import tokens
from agentgate.auth.keys import key_set
from agentgate.auth.state import state_cache
from agentgate.models import AgentItem, TenantItem
from agentgate.platform.tenancy import context_from_authorizer
from functions.authorizer import handler
from infra.local.apigw import LambdaContext, authorizer_request_event
from tests.support.api import call
from tests.support.oauth import admin, basic, make_client, post_form, set_status, token_for


def _authorize(token: str) -> dict:
    event = authorizer_request_event(
        "GET", "/api/v1/agents/{id}", "/api/v1/agents/x", {"Authorization": f"Bearer {token}"}
    )
    return handler(event, LambdaContext(function_name="authorizer"))


def _assert_401(token: str) -> None:
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        _authorize(token)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(obj: dict) -> str:
    return _b64(json.dumps(obj).encode())


def _valid_claims(client) -> dict:
    now = int(time.time())
    return {
        "iss": "http://127.0.0.1:8000",
        "sub": client.agent_id,
        "aud": "agentgate",
        "exp": now + 300,
        "iat": now,
        "nbf": now,
        "jti": "j-" + str(now),
        "client_id": client.client_id,
        "scope": "runs:write",
        "tenant_id": client.tenant_id,
    }


def test_a_valid_agent_token_is_allowed_with_its_context_and_the_tenants_usage_key(aws):
    client = make_client(scopes={"runs:write"})

    result = _authorize(token_for(client))

    statement = result["policyDocument"]["Statement"][0]
    assert statement["Effect"] == "Allow"
    assert statement["Resource"] == "arn:aws:execute-api:us-east-1:123456789012:local/v1/*"
    assert result["usageIdentifierKey"] == f"usage-key-{client.tenant_id}"
    ctx = context_from_authorizer(result["context"])
    assert ctx is not None and ctx.tenant_id == client.tenant_id
    assert ctx.principal.kind.value == "agent" and ctx.principal.agent_id == client.agent_id
    assert ctx.principal.scopes == {"runs:write"} and ctx.principal.team == "core"


def test_a_missing_or_non_bearer_authorization_is_401(aws):
    event = authorizer_request_event("GET", "/api/v1/agents/{id}", "/api/v1/agents/x", {})
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        handler(event, LambdaContext())
    _assert_401("")


def test_alg_none_is_401(aws):
    client = make_client()
    kid = key_set().current.kid
    _assert_401(f"{_segment({'alg': 'none', 'kid': kid})}.{_segment(_valid_claims(client))}.")


def test_hs256_signed_with_the_public_key_is_401(aws):
    client = make_client()
    current = key_set().current
    pem = current.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = f"{_segment({'alg': 'HS256', 'kid': current.kid})}.{_segment(_valid_claims(client))}"
    signature = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    _assert_401(f"{signing_input}.{_b64(signature)}")


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("exp", lambda now: now - 120),
        ("nbf", lambda now: now + 600),
        ("iss", lambda now: "https://evil.example.com"),
        ("aud", lambda now: "someone-else"),
    ],
    ids=["expired", "not-yet-valid", "wrong-issuer", "wrong-audience"],
)
def test_a_genuinely_signed_token_with_a_bad_claim_is_401(aws, claim, value):
    client = make_client()
    claims = _valid_claims(client)
    claims[claim] = value(int(time.time()))

    _assert_401(tokens.sign(claims))


def test_a_token_missing_the_tenant_claim_is_401(aws):
    client = make_client()
    claims = _valid_claims(client)
    del claims["tenant_id"]

    _assert_401(tokens.sign(claims))


def test_an_unknown_kid_is_401(aws):
    client = make_client()
    private = ec.generate_private_key(ec.SECP256R1())

    forged = jwt.encode(_valid_claims(client), private, algorithm="ES256", headers={"kid": "not-ours"})
    _assert_401(forged)


def test_our_kid_on_a_foreign_key_signature_is_401(aws):
    client = make_client()
    private = ec.generate_private_key(ec.SECP256R1())

    forged = jwt.encode(
        _valid_claims(client), private, algorithm="ES256", headers={"kid": key_set().current.kid}
    )
    _assert_401(forged)


def test_a_tampered_payload_is_401(aws):
    client = make_client(scopes={"runs:write"})
    header, _, signature = token_for(client).split(".")
    escalated = _valid_claims(client) | {"scope": "runs:write agents:control admin"}
    _assert_401(f"{header}.{_segment(escalated)}.{signature}")


def test_a_token_moved_to_another_tenant_by_tampering_is_401(aws):
    victim = make_client()
    attacker = make_client()
    header, payload, signature = token_for(attacker).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["tenant_id"] = victim.tenant_id
    _assert_401(f"{header}.{_segment(claims)}.{signature}")


def test_another_tenants_agent_token_finds_nothing_of_this_tenant(aws):
    victim = make_client()
    attacker = make_client(scopes={"runs:write"})
    ctx = context_from_authorizer(_authorize(token_for(attacker))["context"])
    assert ctx is not None

    # The attacker's own tenant is the only one its token names: the victim's agent is not found there.
    reply = call(
        "GET",
        "/api/v1/agents/{id}/credentials",
        path_params={"id": victim.agent_id},
        ctx=admin(ctx.tenant_id),
    )

    assert reply.status == 404


def test_a_revoked_token_is_401(aws):
    client = make_client()
    token = token_for(client)
    post_form(
        "/oauth2/revoke", {"token": token}, {"Authorization": basic(client.client_id, client.client_secret)}
    )
    state_cache.clear()

    _assert_401(token)


@pytest.mark.parametrize("item", ["agent", "tenant"])
def test_a_paused_agent_or_tenant_gets_an_explicit_deny(aws, item):
    client = make_client()
    token = token_for(client)
    if item == "agent":
        set_status(AgentItem, client.tenant_id, AgentItem.sk_for(client.agent_id), "paused")
    else:
        set_status(TenantItem, client.tenant_id, TenantItem.SK, "paused")
    state_cache.clear()

    result = _authorize(token)

    assert result["policyDocument"]["Statement"][0]["Effect"] == "Deny"
    assert result["context"]["deny_reason"] == f"{item} paused"


def test_a_pause_reaches_a_warm_authorizer_once_its_state_cache_expires(aws, monkeypatch):
    client = make_client()
    token = token_for(client)
    monkeypatch.setattr(state_cache, "max_age", 3600.0)  # no wall clock: the cache is fresh, then stale
    assert _authorize(token)["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    set_status(AgentItem, client.tenant_id, AgentItem.sk_for(client.agent_id), "paused")

    cached = _authorize(token)
    monkeypatch.setattr(state_cache, "max_age", 0.0)
    fresh = _authorize(token)

    assert cached["policyDocument"]["Statement"][0]["Effect"] == "Allow"  # the warm container's memo
    assert fresh["policyDocument"]["Statement"][0]["Effect"] == "Deny"


def test_an_api_key_is_allowed_with_its_scopes(aws):
    from agentgate.schemas.api_keys import ApiKeyCreate
    from agentgate.services import api_keys

    client = make_client()
    created = api_keys.create(admin(client.tenant_id), ApiKeyCreate(name="ci", scopes=["agents:read"]))

    result = _authorize(created.key)

    assert result["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    assert result["usageIdentifierKey"] == f"usage-key-{client.tenant_id}"
    ctx = context_from_authorizer(result["context"])
    assert ctx is not None and ctx.principal.kind.value == "apikey"
    assert ctx.tenant_id == client.tenant_id and ctx.principal.scopes == {"agents:read"}


def test_an_unknown_api_key_is_401(aws):
    _assert_401("agk_" + "A" * 43)


@pytest.fixture
def cognito_jwks(aws, monkeypatch):
    """moto's Cognito signing keys served over HTTP, as the user pool serves its own."""
    import moto.cognitoidp

    from agentgate.platform.settings import reset_settings

    source = Path(moto.cognitoidp.__file__).parent / "resources" / "jwks-public.json.gz"
    body = gzip.decompress(source.read_bytes())

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("COGNITO_JWKS_URL", f"http://127.0.0.1:{server.server_port}/jwks.json")
    reset_settings()
    yield
    server.shutdown()
    server.server_close()


def test_a_cognito_user_token_is_verified_against_the_jwks_and_mapped_to_its_membership(cognito_jwks):
    from agentgate.schemas.tenants import SignupRequest
    from agentgate.services import tenants

    signed_up = tenants.signup(
        SignupRequest(org_name="Acme", email="owner@acme.example", password="Sup3r-secret-pass!")
    )

    result = _authorize(signed_up.tokens.access_token)

    ctx = context_from_authorizer(result["context"])
    assert ctx is not None and ctx.tenant_id == signed_up.tenant_id
    assert ctx.principal.kind.value == "user" and ctx.principal.role is not None
    assert ctx.principal.role.value == "owner"
    assert result["usageIdentifierKey"]


def test_a_user_token_for_another_user_pool_client_is_401(cognito_jwks, monkeypatch):
    from agentgate.platform.settings import reset_settings
    from agentgate.schemas.tenants import SignupRequest
    from agentgate.services import tenants

    signed_up = tenants.signup(
        SignupRequest(org_name="Acme", email="owner2@acme.example", password="Sup3r-secret-pass!")
    )
    monkeypatch.setenv("USER_POOL_CLIENT_ID", "another-client")
    reset_settings()

    _assert_401(signed_up.tokens.access_token)


def test_an_api_key_of_a_paused_tenant_gets_an_explicit_deny(aws):
    from agentgate.schemas.api_keys import ApiKeyCreate
    from agentgate.services import api_keys

    client = make_client()
    created = api_keys.create(admin(client.tenant_id), ApiKeyCreate(name="ci", scopes=["agents:read"]))
    # paused as the kill switch pauses it (the key's lookup carries the tenant's status)
    reply = call("POST", "/api/v1/emergency/pause-all", body={"reason": "drill"}, ctx=admin(client.tenant_id))
    assert reply.status == 200, reply.text

    result = _authorize(created.key)

    assert result["policyDocument"]["Statement"][0]["Effect"] == "Deny"
    assert result["context"]["deny_reason"] == "tenant paused"


def test_a_user_of_a_paused_tenant_is_still_allowed_so_an_admin_can_resume(cognito_jwks):
    from agentgate.schemas.tenants import SignupRequest
    from agentgate.services import tenants

    signed_up = tenants.signup(
        SignupRequest(org_name="Acme", email="owner3@acme.example", password="Sup3r-secret-pass!")
    )
    set_status(TenantItem, signed_up.tenant_id, TenantItem.SK, "paused")

    result = _authorize(signed_up.tokens.access_token)

    assert result["policyDocument"]["Statement"][0]["Effect"] == "Allow"

"""OAuth 2.0 against the running local stack, with clients that are not the project's own code.

authlib's OAuth2Session obtains a token with client_credentials; joserfc verifies it against the
JWKS the stack publishes; the token then calls the API through the gateway and the real authorizer.
"""

from __future__ import annotations

import uuid

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt as jose_jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def agent_client(local_stack) -> dict[str, str]:
    """A tenant signed up over HTTP, an agent and its credentials created with the owner's token."""
    api = local_stack.api_url
    email = f"owner-{uuid.uuid4().hex[:8]}@e2e.example"
    signup = requests.post(
        f"{api}/api/v1/auth/signup",
        json={"org_name": "E2E OAuth", "email": email, "password": "E2e-password-123!"},
        timeout=30,
    )
    assert signup.status_code == 201, signup.text
    owner = {"Authorization": f"Bearer {signup.json()['tokens']['access_token']}"}
    agent = requests.post(
        f"{api}/api/v1/agents",
        json={"name": "e2e-agent", "scopes": ["agents:read", "runs:write"]},
        headers=owner,
        timeout=30,
    )
    assert agent.status_code == 201, agent.text
    agent_id = agent.json()["id"]
    credential = requests.post(
        f"{api}/api/v1/agents/{agent_id}/credentials", json={}, headers=owner, timeout=30
    )
    assert credential.status_code == 201, credential.text
    return {"agent_id": agent_id, "tenant_id": signup.json()["tenant_id"], **credential.json()}


def _metadata(api: str) -> dict:
    reply = requests.get(f"{api}/.well-known/oauth-authorization-server", timeout=10)
    assert reply.status_code == 200
    return reply.json()


def test_authlib_obtains_a_token_that_joserfc_verifies_against_the_published_jwks(local_stack, agent_client):
    meta = _metadata(local_stack.api_url)
    session = OAuth2Session(
        agent_client["client_id"],
        agent_client["client_secret"],
        token_endpoint_auth_method="client_secret_basic",
        scope="runs:write",
    )

    token = session.fetch_token(meta["token_endpoint"], grant_type="client_credentials")

    assert token["token_type"] == "Bearer" and token["scope"] == "runs:write"
    jwks = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    verified = jose_jwt.decode(token["access_token"], jwks, algorithms=["ES256"])
    claims = verified.claims
    assert claims["iss"] == meta["issuer"] == local_stack.api_url
    assert claims["sub"] == agent_client["agent_id"] and claims["tenant_id"] == agent_client["tenant_id"]
    jose_jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": meta["issuer"]}, aud={"essential": True, "value": "agentgate"}
    ).validate(claims)


def test_client_secret_post_works_through_authlib_too(local_stack, agent_client):
    meta = _metadata(local_stack.api_url)
    session = OAuth2Session(
        agent_client["client_id"],
        agent_client["client_secret"],
        token_endpoint_auth_method="client_secret_post",
    )

    token = session.fetch_token(meta["token_endpoint"], grant_type="client_credentials")

    assert set(token["scope"].split()) == {"agents:read", "runs:write"}


def test_a_tampered_token_fails_joserfc_verification_and_the_gateway_answers_401(local_stack, agent_client):
    meta = _metadata(local_stack.api_url)
    session = OAuth2Session(agent_client["client_id"], agent_client["client_secret"])
    token = session.fetch_token(meta["token_endpoint"], grant_type="client_credentials")["access_token"]
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload[:-2]}{'AA' if not payload.endswith('AA') else 'BB'}.{signature}"

    jwks = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    with pytest.raises((BadSignatureError, ValueError)):
        jose_jwt.decode(tampered, jwks, algorithms=["ES256"])
    reply = requests.get(
        f"{local_stack.api_url}/api/v1/agents/{agent_client['agent_id']}",
        headers={"Authorization": f"Bearer {tampered}"},
        timeout=10,
    )
    assert reply.status_code == 401


def test_the_token_calls_an_agent_route_through_the_real_authorizer(local_stack, agent_client):
    meta = _metadata(local_stack.api_url)
    session = OAuth2Session(agent_client["client_id"], agent_client["client_secret"])
    session.fetch_token(meta["token_endpoint"], grant_type="client_credentials")

    reply = session.post(f"{local_stack.api_url}/api/v1/authorize", json={"action": "e2e.check"}, timeout=30)

    assert reply.status_code == 200, reply.text
    assert reply.json()["decision"] in {"allow", "deny", "pending"}


def test_a_revoked_token_is_refused_by_the_gateway(local_stack, agent_client):
    meta = _metadata(local_stack.api_url)
    session = OAuth2Session(agent_client["client_id"], agent_client["client_secret"])
    token = session.fetch_token(meta["token_endpoint"], grant_type="client_credentials")["access_token"]

    revoked = requests.post(
        meta["revocation_endpoint"],
        data={"token": token},
        auth=(agent_client["client_id"], agent_client["client_secret"]),
        timeout=10,
    )
    reply = requests.post(
        f"{local_stack.api_url}/api/v1/authorize",
        json={"action": "e2e.check"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )

    assert revoked.status_code == 200
    assert reply.status_code == 401  # never used before, so no cached authorizer answer to outlive


def test_a_wrong_secret_is_an_rfc6749_invalid_client(local_stack, agent_client):
    meta = _metadata(local_stack.api_url)

    reply = requests.post(
        meta["token_endpoint"],
        data={"grant_type": "client_credentials"},
        auth=(agent_client["client_id"], "ags_wrong"),
        timeout=10,
    )

    assert reply.status_code == 401
    assert reply.json()["error"] == "invalid_client"
    assert "WWW-Authenticate" in reply.headers

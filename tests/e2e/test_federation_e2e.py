"""A GitHub-shaped ID token from a loopback issuer becomes an agent token at the running local stack."""

from __future__ import annotations

import uuid

import pytest
import requests
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet

from tests.support.oidc_issuer import GITHUB_AUDIENCE, running_issuer

pytestmark = pytest.mark.e2e

EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"


def test_an_id_token_is_exchanged_under_a_trust_policy_over_http(local_stack):
    api = local_stack.api_url
    signup = requests.post(
        f"{api}/api/v1/auth/signup",
        json={
            "org_name": "Fed",
            "email": f"o-{uuid.uuid4().hex[:8]}@e2e.example",
            "password": "E2e-password-123!",
        },
        timeout=30,
    )
    owner = {"Authorization": f"Bearer {signup.json()['tokens']['access_token']}"}
    agent = requests.post(
        f"{api}/api/v1/agents", json={"name": "deployer", "scopes": ["runs:write"]}, headers=owner, timeout=30
    ).json()
    with running_issuer("RSA") as issuer:
        policy = requests.post(
            f"{api}/api/v1/oidc/trust-policies",
            json={
                "name": "main",
                "issuer": issuer.url,
                "audience": GITHUB_AUDIENCE,
                "claims": {"repository_id": "1234", "ref": "refs/heads/main"},
                "agent_id": agent["id"],
                "scopes": ["runs:write"],
            },
            headers=owner,
            timeout=30,
        )
        assert policy.status_code == 201, policy.text
        id_token = issuer.mint()
        form = {"grant_type": EXCHANGE, "subject_token": id_token, "subject_token_type": ID_TOKEN}

        granted = requests.post(f"{api}/oauth2/token", data=form, timeout=30)
        replayed = requests.post(f"{api}/oauth2/token", data=form, timeout=30)
        other_repo = requests.post(
            f"{api}/oauth2/token",
            data={**form, "subject_token": issuer.mint(repository_id="4321")},
            timeout=30,
        )

    assert granted.status_code == 200, granted.text
    jwks = KeySet.import_key_set(requests.get(f"{api}/.well-known/jwks.json", timeout=10).json())
    claims = jose_jwt.decode(granted.json()["access_token"], jwks).claims
    assert claims["sub"] == agent["id"] and claims["act"]["iss"] == issuer.url
    assert replayed.status_code == 400 and "already exchanged" in replayed.json()["error_description"]
    assert other_repo.status_code == 400 and other_repo.json()["error"] == "invalid_request"
    ingest = requests.post(
        f"{api}/api/v1/ingest/run",
        json={
            "run_id": f"fed-{uuid.uuid4().hex[:8]}",
            "status": "success",
            "start_time": "2026-11-23T10:00:00Z",
            "token_usage": {"input": 1, "output": 1, "cache_read": 0, "cache_write": 0},
            "events": [],
        },
        headers={"Authorization": f"Bearer {granted.json()['access_token']}"},
        timeout=30,
    )
    assert ingest.status_code == 202, ingest.text

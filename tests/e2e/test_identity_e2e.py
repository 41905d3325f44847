"""Identity over HTTP against the running local stack: the seeded demo, people, API keys, agents, audit.

Every call goes through the local gateway, the real REQUEST authorizer (Cognito tokens verified
against the JWKS, API keys by hash) and the real handlers.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import uuid

import pytest
import requests

pytestmark = pytest.mark.e2e
TIMEOUT = 30
PASSWORD = "An-e2e-passphrase-42"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def owner(local_stack) -> dict[str, str]:
    email = f"id-{uuid.uuid4().hex[:8]}@e2e.example"
    reply = requests.post(
        f"{local_stack.api_url}/api/v1/auth/signup",
        json={"org_name": "E2E Identity", "email": email, "password": PASSWORD},
        timeout=TIMEOUT,
    )
    assert reply.status_code == 201, reply.text
    return {"email": email, "tenant_id": reply.json()["tenant_id"], **reply.json()["tokens"]}


def test_the_banners_token_curl_works(local_stack):
    line = next(x for x in local_stack.log().splitlines() if x.strip().startswith("curl -u "))

    result = subprocess.run(
        [*shlex.split(line.strip()), "-s"], capture_output=True, text=True, timeout=TIMEOUT
    )

    assert '"access_token"' in result.stdout and '"token_type":"Bearer"' in result.stdout.replace(" ", "")


def test_the_seeded_admin_api_key_lists_the_seeded_agent(local_stack):
    key = re.search(r"admin API key (agk_\S+)", local_stack.log()).group(1)
    agent_id = re.search(r"agent\s+(agt_\S+)", local_stack.log()).group(1)

    reply = requests.get(f"{local_stack.api_url}/api/v1/agents", headers=_bearer(key), timeout=TIMEOUT)

    assert reply.status_code == 200, reply.text
    assert [a["id"] for a in reply.json()["items"]] == [agent_id]


def test_the_owner_reads_the_profile_with_the_signup_token(local_stack, owner):
    reply = requests.get(
        f"{local_stack.api_url}/api/v1/orgs/profile", headers=_bearer(owner["access_token"]), timeout=TIMEOUT
    )

    assert reply.status_code == 200, reply.text
    assert (reply.json()["tenant_id"], reply.json()["tier"]) == (owner["tenant_id"], "free")


def test_no_credentials_is_401_and_a_forged_api_key_is_401(local_stack):
    api = local_stack.api_url

    missing = requests.get(f"{api}/api/v1/agents", timeout=TIMEOUT)
    forged = requests.get(f"{api}/api/v1/agents", headers=_bearer("agk_" + "A" * 43), timeout=TIMEOUT)

    assert (missing.status_code, forged.status_code) == (401, 401)


def test_an_api_key_created_over_http_works_within_its_scopes(local_stack, owner):
    api = local_stack.api_url
    created = requests.post(
        f"{api}/api/v1/api-keys",
        json={"name": "e2e reader", "scopes": ["agents:read"]},
        headers=_bearer(owner["access_token"]),
        timeout=TIMEOUT,
    )
    assert created.status_code == 201, created.text
    key = _bearer(created.json()["key"])

    listed = requests.get(f"{api}/api/v1/agents", headers=key, timeout=TIMEOUT)
    refused = requests.post(f"{api}/api/v1/agents", json={"name": "nope"}, headers=key, timeout=TIMEOUT)

    assert listed.status_code == 200
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "insufficient_scope"


def test_agent_lifecycle_over_http_is_audited_and_the_chain_verifies(local_stack, owner):
    api, auth = local_stack.api_url, _bearer(owner["access_token"])
    agent = requests.post(
        f"{api}/api/v1/agents", json={"name": "e2e-life", "team": "qa"}, headers=auth, timeout=TIMEOUT
    )
    assert agent.status_code == 201, agent.text
    agent_id = agent.json()["id"]

    paused = requests.post(
        f"{api}/api/v1/agents/{agent_id}/pause", json={"reason": "e2e"}, headers=auth, timeout=TIMEOUT
    )
    by_status = requests.get(
        f"{api}/api/v1/agents", params={"status": "paused"}, headers=auth, timeout=TIMEOUT
    )
    deleted = requests.delete(f"{api}/api/v1/agents/{agent_id}", headers=auth, timeout=TIMEOUT)
    log = requests.get(f"{api}/api/v1/audit", params={"limit": 3}, headers=auth, timeout=TIMEOUT)
    verified = requests.get(f"{api}/api/v1/audit/verify", headers=auth, timeout=TIMEOUT)

    assert paused.json()["status"] == "paused"
    assert [a["id"] for a in by_status.json()["items"]] == [agent_id]
    assert deleted.status_code == 204
    assert [e["action"] for e in log.json()["items"]] == ["agent.deleted", "agent.paused", "agent.created"]
    assert verified.json()["valid"] is True


def test_logout_ends_the_refresh_token(local_stack, owner):
    api = local_stack.api_url
    login = requests.post(
        f"{api}/api/v1/auth/login", json={"email": owner["email"], "password": PASSWORD}, timeout=TIMEOUT
    ).json()["tokens"]

    out = requests.post(f"{api}/api/v1/auth/logout", headers=_bearer(login["access_token"]), timeout=TIMEOUT)
    refresh = requests.post(
        f"{api}/api/v1/auth/refresh-token", json={"refresh_token": login["refresh_token"]}, timeout=TIMEOUT
    )

    assert out.status_code == 204, out.text
    assert refresh.status_code == 401

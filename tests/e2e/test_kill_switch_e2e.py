"""The kill switch against the running local stack: a token already in use is refused within seconds.

Each agent's token first makes a call, so the gateway caches its Allow for the authorizer's TTL
(60 s unless AUTHORIZER_CACHE_TTL_SECONDS was exported). A pause flushes that cache, so the refusal
comes within the authorizer's state cache (5 s). The 10 s below is a polling deadline, not a timing
target: any refusal before it shows the cached Allow did not survive the pause.
"""

from __future__ import annotations

import time
import uuid

import pytest
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

pytestmark = pytest.mark.e2e

REFUSAL_DEADLINE_SECONDS = 10.0
TIMEOUT = 30

# The tenant is on the free tier (5 requests a second, burst 10) and the polling below can exceed it.
# A 429 is the gateway's throttle, answered before any function runs, so every method is retried
# after its Retry-After, as a client of the API would.
http = requests.Session()
http.mount(
    "http://",
    HTTPAdapter(
        max_retries=Retry(
            total=10, status_forcelist=[429], allowed_methods=None, respect_retry_after_header=True
        )
    ),
)


@pytest.fixture(scope="module")
def tenant(local_stack) -> dict[str, str]:
    api = local_stack.api_url
    signup = http.post(
        f"{api}/api/v1/auth/signup",
        json={
            "org_name": "E2E kill switch",
            "email": f"owner-{uuid.uuid4().hex[:8]}@e2e.example",
            "password": "E2e-password-123!",
        },
        timeout=TIMEOUT,
    )
    assert signup.status_code == 201, signup.text
    return {"api": api, "owner": f"Bearer {signup.json()['tokens']['access_token']}"}


def _owner(tenant: dict[str, str]) -> dict[str, str]:
    return {"Authorization": tenant["owner"]}


def _agent_token(tenant: dict[str, str], **agent: object) -> tuple[str, str]:
    """(agent id, access token) of a new agent whose token has made one call (its Allow is cached)."""
    api = tenant["api"]
    created = http.post(
        f"{api}/api/v1/agents",
        json={"name": f"agent-{uuid.uuid4().hex[:6]}", "scopes": ["approvals:read"], **agent},
        headers=_owner(tenant),
        timeout=TIMEOUT,
    )
    assert created.status_code == 201, created.text
    agent_id = created.json()["id"]
    credential = http.post(
        f"{api}/api/v1/agents/{agent_id}/credentials", json={}, headers=_owner(tenant), timeout=TIMEOUT
    ).json()
    issued = http.post(
        f"{api}/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(credential["client_id"], credential["client_secret"]),
        timeout=TIMEOUT,
    )
    assert issued.status_code == 200, issued.text
    token = issued.json()["access_token"]
    assert _call(api, agent_id, token) == 200  # the gateway now holds this token's Allow
    return agent_id, token


PAUSED = 403  # the gateway's answer to the authorizer's Deny: "Not allowed (paused agent or tenant)."


def _call(api: str, agent_id: str, token: str) -> int:
    """The status of one call the agent may make (listing approvals); 403 only when refused as paused."""
    reply = http.get(f"{api}/api/v1/approvals", headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT)
    if reply.status_code == 403:
        assert "paused" in reply.json()["error"]["message"], reply.text
    return reply.status_code


def _refused_within_deadline(api: str, agent_id: str, token: str) -> tuple[int, float]:
    """Poll until the token is refused or the deadline passes: (last status, seconds waited)."""
    started = time.monotonic()
    status = _call(api, agent_id, token)
    while status != PAUSED and time.monotonic() - started < REFUSAL_DEADLINE_SECONDS:
        time.sleep(0.25)
        status = _call(api, agent_id, token)
    return status, time.monotonic() - started


def test_pausing_one_agent_refuses_its_token_in_use_and_leaves_the_others(tenant):
    api = tenant["api"]
    paused_id, paused_token = _agent_token(tenant)
    other_id, other_token = _agent_token(tenant)

    pause = http.post(
        f"{api}/api/v1/agents/{paused_id}/pause",
        json={"reason": "e2e"},
        headers=_owner(tenant),
        timeout=TIMEOUT,
    )

    assert pause.status_code == 200, pause.text
    status, waited = _refused_within_deadline(api, paused_id, paused_token)
    assert status == PAUSED, f"still {status} after {waited:.1f}s"
    assert _call(api, other_id, other_token) == 200


def test_pausing_a_team_or_a_tag_refuses_their_agents_tokens_in_use(tenant):
    api = tenant["api"]
    team_id, team_token = _agent_token(tenant, team="night-shift")
    tag_id, tag_token = _agent_token(tenant, tags=["experimental"])

    for scope, agent_id in (({"team": "night-shift"}, team_id), ({"tag": "experimental"}, tag_id)):
        reply = http.post(
            f"{api}/api/v1/emergency/pause-all",
            json={"reason": "e2e", **scope},
            headers=_owner(tenant),
            timeout=TIMEOUT,
        )
        assert reply.status_code == 200, reply.text
        assert reply.json()["paused_agent_ids"] == [agent_id]

    for agent_id, token in ((team_id, team_token), (tag_id, tag_token)):
        status, waited = _refused_within_deadline(api, agent_id, token)
        assert status == PAUSED, f"{agent_id} still {status} after {waited:.1f}s"


def test_pausing_the_tenant_refuses_every_token_in_use_and_resuming_admits_them_again(tenant):
    api = tenant["api"]
    agent_id, token = _agent_token(tenant)

    paused = http.post(
        f"{api}/api/v1/emergency/pause-all", json={"reason": "e2e"}, headers=_owner(tenant), timeout=TIMEOUT
    )
    assert paused.status_code == 200, paused.text
    status, waited = _refused_within_deadline(api, agent_id, token)
    assert status == PAUSED, f"still {status} after {waited:.1f}s"

    resumed = http.post(
        f"{api}/api/v1/emergency/resume-all", json={}, headers=_owner(tenant), timeout=TIMEOUT
    )
    assert resumed.status_code == 200, resumed.text
    started = time.monotonic()
    while _call(api, agent_id, token) != 200 and time.monotonic() - started < REFUSAL_DEADLINE_SECONDS:
        time.sleep(0.25)
    assert _call(api, agent_id, token) == 200  # the cached Deny was flushed too

"""Retries, error mapping and the token cache, against a loopback server playing the API."""

from __future__ import annotations

import threading
import time
from email.utils import formatdate

import pytest

from agentgate_client import AgentGate, AgentGateAdmin, NotFound, RateLimited, RetryPolicy, ServiceUnavailable
from agentgate_client.transport import parse_retry_after
from tests.sdk.fake_api import FakeApi, error_body
from tests.sdk.loops import run_coroutine

FAST = RetryPolicy(max_retries=3, base_delay=0.01, max_delay=0.05)


def _sequence(replies):
    """A route answering the given replies in turn, then the last one forever."""
    calls = []

    def route(api, request):
        calls.append(time.monotonic())
        return replies[min(len(calls) - 1, len(replies) - 1)]

    return route, calls


def test_a_429_is_retried_after_its_retry_after_and_then_succeeds(api: FakeApi):
    route, calls = _sequence(
        [
            (429, {"Retry-After": "0.3"}, error_body("throttled", "slow down")),
            (200, {}, {"items": [], "next_cursor": None}),
        ]
    )
    api.routes[("GET", "/api/v1/agents")] = route
    admin = AgentGateAdmin(api.url, api_key="agk_test", retry=FAST)

    page = admin.agents.list()

    assert page.items == [] and len(calls) == 2
    assert calls[1] - calls[0] >= 0.3


def test_503_is_retried_a_bounded_number_of_times_then_raised_with_the_apis_error(api: FakeApi):
    details = [{"field": "stream", "issue": "busy"}]
    route, calls = _sequence(
        [(503, {}, error_body("dependency_unavailable", "The runs stream is busy", details))]
    )
    api.routes[("GET", "/api/v1/agents")] = route
    admin = AgentGateAdmin(api.url, api_key="agk_test", retry=FAST)

    with pytest.raises(ServiceUnavailable) as caught:
        admin.agents.list()

    assert len(calls) == FAST.max_retries + 1
    assert (caught.value.status, caught.value.code, caught.value.details) == (
        503,
        "dependency_unavailable",
        details,
    )


def test_a_429_still_throttled_after_the_retries_raises_rate_limited_with_retry_after(api: FakeApi):
    route, _ = _sequence([(429, {"Retry-After": "0"}, error_body("quota_exceeded", "Daily quota used"))])
    api.routes[("GET", "/api/v1/agents")] = route

    with pytest.raises(RateLimited) as caught:
        AgentGateAdmin(api.url, api_key="agk_test", retry=FAST).agents.list()

    assert (caught.value.code, caught.value.retry_after) == ("quota_exceeded", 0.0)


def test_a_404_raises_not_found_at_once_with_code_and_message(api: FakeApi):
    admin = AgentGateAdmin(api.url, api_key="agk_test", retry=FAST)

    with pytest.raises(NotFound) as caught:
        admin.agents.get("agt_missing")

    assert caught.value.code == "not_found" and "agents/agt_missing" in caught.value.message
    assert api.count("GET", "/api/v1/agents/agt_missing") == 1


def test_the_backoff_is_jittered_and_bounded():
    policy = RetryPolicy(base_delay=0.5, max_delay=2.0)
    delays = [policy.delay(attempt) for attempt in range(10) for _ in range(50)]

    assert all(0 <= d <= 2.0 for d in delays)
    assert len({round(d, 6) for d in delays}) > 100  # full jitter, not a fixed schedule
    assert policy.delay(0, retry_after=500) <= policy.max_retry_after + policy.base_delay


def test_retry_after_reads_seconds_and_http_dates():
    assert parse_retry_after("3") == 3.0
    assert 8 <= parse_retry_after(formatdate(time.time() + 10, usegmt=True)) <= 10
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_a_token_is_fetched_once_and_reused(api: FakeApi):
    route, _ = _sequence([(200, {}, {"decision": "allow", "reasons": []})])
    api.routes[("POST", "/api/v1/authorize")] = route
    client = AgentGate(api.url, "client", "secret", retry=FAST)

    for _ in range(5):
        client.authorize("read")

    assert api.tokens_issued == 1
    client.close()


def test_a_token_is_renewed_before_it_expires(api: FakeApi):
    api.token_ttl = 6  # renewed 5 s before expiry: after about 1 s
    client = AgentGate(api.url, "client", "secret", retry=FAST)

    first = client.access_token()
    assert client.access_token() == first
    time.sleep(1.2)

    assert client.access_token() != first and api.tokens_issued == 2
    client.close()


def test_threads_finding_no_token_fetch_it_once(api: FakeApi):
    client = AgentGate(api.url, "client", "secret", retry=FAST)
    barrier = threading.Barrier(8)
    tokens = []

    def use():
        barrier.wait()
        tokens.append(client.access_token())

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(tokens)) == 1 and api.tokens_issued == 1
    client.close()


def test_a_401_is_retried_once_after_a_token_refresh(api: FakeApi):
    route, calls = _sequence([(200, {}, {"decision": "allow", "reasons": []})])
    api.routes[("POST", "/api/v1/authorize")] = route
    client = AgentGate(api.url, "client", "secret", retry=FAST)
    client.authorize("read")
    api.revoke_all_tokens()  # the server no longer accepts the cached token

    decision = client.authorize("read")

    assert decision.decision == "allow" and api.tokens_issued == 2 and len(calls) == 2
    client.close()


def test_a_second_401_after_the_refresh_is_raised(api: FakeApi):
    route, _ = _sequence([(401, {}, error_body("unauthorized", "token revoked"))])
    api.routes[("POST", "/api/v1/authorize")] = route
    client = AgentGate(api.url, "client", "secret", retry=FAST)

    from agentgate_client import Unauthorized

    with pytest.raises(Unauthorized):
        client.authorize("read")
    assert api.tokens_issued == 2 and api.count("POST", "/api/v1/authorize") == 2
    client.close()


def test_the_async_admin_retries_a_503_and_raises_typed_errors(api: FakeApi):

    from agentgate_client import AsyncAgentGateAdmin

    route, calls = _sequence(
        [
            (503, {"Retry-After": "0"}, error_body("dependency_unavailable", "busy")),
            (200, {}, {"items": [], "next_cursor": None}),
        ]
    )
    api.routes[("GET", "/api/v1/approvals")] = route

    async def main():
        async with AsyncAgentGateAdmin(api.url, api_key="agk_test", retry=FAST) as admin:
            page = await admin.approvals.list(status="pending")
            with pytest.raises(NotFound):
                await admin.agents.get("agt_missing")
            return page

    assert run_coroutine(main()).items == [] and len(calls) == 2


def test_list_filters_are_sent_as_the_apis_query_and_iterate_walks_every_page(api: FakeApi):
    from agentgate_client import iterate

    seen = []

    def route(fake, request):
        query = {k: v[0] for k, v in request["query"].items()}
        seen.append(query)
        agent = {
            "id": f"agt_{len(seen)}", "name": "n", "description": "", "type": "custom", "environment": "dev",
            "tags": [], "status": "active", "scopes": [], "created_at": "2026-11-23T10:00:00Z",
        }  # fmt: skip
        return 200, {}, {"items": [agent], "next_cursor": "c2" if len(seen) == 1 else None}

    api.routes[("GET", "/api/v1/agents")] = route
    admin = AgentGateAdmin(api.url, api_key="agk_test")

    ids = [agent.id for agent in iterate(admin.agents.list, status="active", limit=1)]

    assert ids == ["agt_1", "agt_2"]
    assert seen == [{"status": "active", "limit": "1"}, {"status": "active", "limit": "1", "cursor": "c2"}]


def test_from_github_actions_exchanges_a_fresh_id_token_at_each_renewal(api: FakeApi, monkeypatch):
    from tests.sdk.fake_github import FakeGitHubOidc

    github = FakeGitHubOidc()
    mint = github.mint
    github.mint = lambda audience: (token := mint(audience), api.trusted_subject_tokens.add(token))[0]
    for name, value in github.env().items():
        monkeypatch.setenv(name, value)
    api.token_ttl = 6  # renewed after about a second
    try:
        client = AgentGate.from_github_actions(api.url, "agentgate-ci", scope="runs:write")
        first = client.access_token()
        time.sleep(1.2)
        second = client.access_token()
        client.close()
    finally:
        github.close()

    assert first != second and github.audiences == ["agentgate-ci", "agentgate-ci"]
    subjects = [f["subject_token"] for f in api.token_forms]
    assert subjects == github.issued and len(set(subjects)) == 2  # a server accepts each ID token once

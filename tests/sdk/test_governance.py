"""authorize, wait_for_approval and the guarded decorator, sync and async, against a loopback API."""

from __future__ import annotations

import json
import time

import pytest

from agentgate_client import AgentGate, ApprovalTimeout, AsyncAgentGate, Denied
from tests.sdk.fake_api import FakeApi
from tests.sdk.loops import run_coroutine


def _decides(api: FakeApi, decision: str, approval_id: str | None = None):
    seen = []

    def route(fake, request):
        seen.append(json.loads(request["body"]))
        reasons = [{"kind": "policy", "message": f"policy says {decision}", "policy_id": "pol_1"}]
        return 200, {}, {"decision": decision, "approval_id": approval_id, "reasons": reasons}

    api.routes[("POST", "/api/v1/authorize")] = route
    return seen


def test_authorize_sends_the_request_and_returns_the_typed_decision(api: FakeApi):
    seen = _decides(api, "allow")
    client = AgentGate(api.url, "c", "s")

    decision = client.authorize(
        "files.read", resource="s3://b/k", context={"env": "prod"}, estimated_cost_usd=0.25
    )

    assert decision.decision == "allow" and decision.reasons[0].policy_id == "pol_1"
    assert seen == [
        {
            "action": "files.read",
            "resource": "s3://b/k",
            "context": {"env": "prod"},
            "estimated_cost_usd": "0.25",
        }
    ]
    client.close()


def test_wait_for_approval_polls_with_backoff_until_decided(api: FakeApi):
    api.approvals["apr_1"] = ["pending", "pending", "pending", "approved"]
    client = AgentGate(api.url, "c", "s")

    started = time.monotonic()
    approval = client.wait_for_approval("apr_1", timeout=10, poll_interval=0.1, max_poll_interval=0.2)

    assert approval.status == "approved" and api.count("GET", "/api/v1/approvals/apr_1") == 4
    assert time.monotonic() - started >= 0.1 + 0.15 + 0.2
    client.close()


def test_wait_for_approval_gives_up_at_its_timeout(api: FakeApi):
    api.approvals["apr_2"] = ["pending"]
    client = AgentGate(api.url, "c", "s")

    with pytest.raises(ApprovalTimeout) as caught:
        client.wait_for_approval("apr_2", timeout=0.5, poll_interval=0.1)

    assert caught.value.approval_id == "apr_2" and 0.4 <= caught.value.waited_seconds < 2
    client.close()


def test_guarded_runs_the_function_when_allowed(api: FakeApi):
    _decides(api, "allow")
    client = AgentGate(api.url, "c", "s")

    @client.guarded("deploy")
    def deploy(version):
        return f"deployed {version}"

    assert deploy("1.2") == "deployed 1.2"
    client.close()


def test_guarded_raises_denied_with_the_reasons_and_does_not_run(api: FakeApi):
    _decides(api, "deny")
    client = AgentGate(api.url, "c", "s")
    calls = []

    @client.guarded("deploy")
    def deploy():
        calls.append(1)

    with pytest.raises(Denied) as caught:
        deploy()

    assert calls == [] and caught.value.decision == "deny" and "policy says deny" in str(caught.value)
    client.close()


def test_guarded_waits_for_a_pending_approval_then_runs(api: FakeApi):
    _decides(api, "pending", "apr_3")
    api.approvals["apr_3"] = ["pending", "approved"]
    client = AgentGate(api.url, "c", "s")

    @client.guarded("deploy", timeout=10)
    def deploy():
        return "done"

    assert deploy() == "done"
    client.close()


def test_guarded_raises_denied_when_the_approval_is_rejected(api: FakeApi):
    _decides(api, "pending", "apr_4")
    api.approvals["apr_4"] = ["rejected"]
    client = AgentGate(api.url, "c", "s")

    @client.guarded("deploy")
    def deploy():
        raise AssertionError("must not run")

    with pytest.raises(Denied) as caught:
        deploy()

    assert caught.value.decision == "rejected" and caught.value.approval.id == "apr_4"
    client.close()


def test_the_async_client_guards_and_waits_too(api: FakeApi):
    _decides(api, "pending", "apr_5")
    api.approvals["apr_5"] = ["pending", "approved"]

    async def main():
        async with AsyncAgentGate(api.url, "c", "s") as client:

            @client.guarded("deploy", timeout=10)
            async def deploy():
                return "async done"

            result = await deploy()
            client.runs.record(run_id="async-run")
            assert await client.flush(timeout=10)
            return result

    assert run_coroutine(main()) == "async done"
    assert "async-run" in api.stored and api.tokens_issued == 1  # one token cache for calls and ingestion

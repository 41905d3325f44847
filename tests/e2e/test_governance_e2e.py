"""Governance over HTTP against the running local stack: an agent's /authorize goes pending, the
approval runs in the stack's Step Functions (the real ASL), a person approves, a second decision is a
409, and the agent reads the outcome; a deny policy denies with its reason."""

from __future__ import annotations

import time
import uuid

import pytest
import requests

pytestmark = pytest.mark.e2e
TIMEOUT = 30


@pytest.fixture(scope="module")
def tenant(local_stack) -> dict[str, str]:
    api = local_stack.api_url
    email = f"gov-{uuid.uuid4().hex[:8]}@e2e.example"
    signup = requests.post(
        f"{api}/api/v1/auth/signup",
        json={"org_name": "E2E Governance", "email": email, "password": "E2e-password-123!"},
        timeout=TIMEOUT,
    )
    assert signup.status_code == 201, signup.text
    owner = f"Bearer {signup.json()['tokens']['access_token']}"
    # Automation registers the agent, so the owner is not its registrant and may decide its requests.
    key = requests.post(
        f"{api}/api/v1/api-keys",
        json={"name": "e2e-provisioner", "scopes": ["agents:write"]},
        headers={"Authorization": owner},
        timeout=TIMEOUT,
    )
    assert key.status_code == 201, key.text
    provisioner = f"Bearer {key.json()['key']}"
    agent = requests.post(
        f"{api}/api/v1/agents",
        json={"name": "e2e-governed", "scopes": ["approvals:read"]},
        headers={"Authorization": provisioner},
        timeout=TIMEOUT,
    )
    assert agent.status_code == 201, agent.text
    credential = requests.post(
        f"{api}/api/v1/agents/{agent.json()['id']}/credentials",
        json={},
        headers={"Authorization": provisioner},
        timeout=TIMEOUT,
    )
    assert credential.status_code == 201, credential.text
    token = requests.post(
        f"{api}/oauth2/token",
        data={"grant_type": "client_credentials", "scope": "approvals:read"},
        auth=(credential.json()["client_id"], credential.json()["client_secret"]),
        timeout=TIMEOUT,
    )
    assert token.status_code == 200, token.text
    return {"api": api, "owner": owner, "agent": f"Bearer {token.json()['access_token']}"}


def _post(tenant, path, body, who):
    return requests.post(
        f"{tenant['api']}{path}", json=body, headers={"Authorization": tenant[who]}, timeout=TIMEOUT
    )


def _get(tenant, path, who):
    return requests.get(f"{tenant['api']}{path}", headers={"Authorization": tenant[who]}, timeout=TIMEOUT)


def _policy(tenant, body):
    reply = _post(tenant, "/api/v1/policies", body, "owner")
    assert reply.status_code == 201, reply.text
    return reply.json()["id"]


def test_a_pending_request_is_approved_by_a_person_through_step_functions(tenant):
    _policy(
        tenant,
        {
            "name": "deploys need an admin",
            "conditions": {"all": [{"field": "action", "op": "eq", "value": "deploy.production"}]},
            "action": "require_approval",
            "approvers": ["role:admin"],
            "approval_timeout_seconds": 600,
        },
    )
    answer = _post(tenant, "/api/v1/authorize", {"action": "deploy.production"}, "agent")
    assert answer.status_code == 200, answer.text
    assert answer.json()["decision"] == "pending"
    approval_id = answer.json()["approval_id"]
    assert _get(tenant, f"/api/v1/approvals/{approval_id}", "agent").json()["status"] == "pending"

    deadline = time.monotonic() + 30
    while True:  # the state machine's first task stores the token a moment after the request
        approve = _post(tenant, f"/api/v1/approvals/{approval_id}/approve", {"comment": "go"}, "owner")
        if approve.status_code != 409 or approve.json()["error"]["code"] != "not_ready":
            break
        assert time.monotonic() < deadline, "the approval workflow never started waiting"
        time.sleep(0.2)
    assert approve.status_code == 200, approve.text
    assert approve.json()["status"] == "approved"

    again = _post(tenant, f"/api/v1/approvals/{approval_id}/reject", {}, "owner")
    assert again.status_code == 409
    seen = _get(tenant, f"/api/v1/approvals/{approval_id}", "agent").json()
    assert (seen["status"], seen["comment"]) == ("approved", "go")


def test_a_deny_policy_denies_with_its_reason(tenant):
    policy_id = _policy(
        tenant,
        {
            "name": "no deletes",
            "conditions": {"all": [{"field": "action", "op": "glob", "value": "*.delete"}]},
            "action": "deny",
        },
    )
    answer = _post(tenant, "/api/v1/authorize", {"action": "files.delete"}, "agent").json()
    assert answer["decision"] == "deny"
    assert answer["reasons"][0]["policy_id"] == policy_id


def test_a_malformed_condition_is_a_400_over_http(tenant):
    bad = {"name": "x", "action": "deny", "conditions": {"all": [{"field": "cost", "op": "gt", "value": 1}]}}
    reply = _post(tenant, "/api/v1/policies", bad, "owner")
    assert reply.status_code == 400
    assert reply.json()["error"]["details"][0]["field"] == "conditions"


class _Receiver:
    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.requests: list[tuple[dict[str, str], bytes]] = []
        received = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                received.append((dict(self.headers), self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/agentgate"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_a_test_delivery_reaches_a_local_receiver_signed_per_standard_webhooks(tenant):
    from standardwebhooks.webhooks import Webhook

    receiver = _Receiver()
    try:
        hook = _post(tenant, "/api/v1/webhooks", {"url": receiver.url, "events": ["agent.paused"]}, "owner")
        assert hook.status_code == 201, hook.text
        sent = _post(tenant, f"/api/v1/webhooks/{hook.json()['id']}/test", {}, "owner")
        assert sent.status_code == 202, sent.text
        deadline = time.monotonic() + 30
        while not receiver.requests and time.monotonic() < deadline:  # the stack's queue poller delivers
            time.sleep(0.2)
        headers, body = receiver.requests[0]
        assert Webhook(hook.json()["secret"]).verify(body, headers)["type"] == "webhook.test"
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()

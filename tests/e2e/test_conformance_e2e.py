"""The conformance suite against the running local stack, as CI and partners run it: a subprocess."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
import requests

from tests.e2e.conftest import REPO_ROOT

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def published_agent(local_stack) -> dict[str, str]:
    """A tenant signed up over HTTP, a published agent with skills and an interface, its credentials."""
    api = local_stack.api_url
    signup = requests.post(
        f"{api}/api/v1/auth/signup",
        json={
            "org_name": "Conformance Org",
            "email": f"owner-{uuid.uuid4().hex[:8]}@e2e.example",
            "password": "E2e-password-123!",
        },
        timeout=30,
    )
    assert signup.status_code == 201, signup.text
    owner = {"Authorization": f"Bearer {signup.json()['tokens']['access_token']}"}
    agent = requests.post(
        f"{api}/api/v1/agents",
        json={
            "name": "conformance-probe",
            "description": "Answers the conformance suite",
            "scopes": ["runs:write"],
            "skills": [{"id": "echo", "name": "Echo", "description": "Repeats", "tags": ["test"]}],
            "interfaces": [{"url": "https://probe.example.com/a2a", "protocol_binding": "JSONRPC"}],
        },
        headers=owner,
        timeout=30,
    )
    assert agent.status_code == 201, agent.text
    agent_id = agent.json()["id"]
    published = requests.post(f"{api}/api/v1/agents/{agent_id}/publish", headers=owner, timeout=30)
    assert published.status_code == 200, published.text
    credential = requests.post(
        f"{api}/api/v1/agents/{agent_id}/credentials", json={}, headers=owner, timeout=30
    )
    assert credential.status_code == 201, credential.text
    return {"tenant_id": signup.json()["tenant_id"], "agent_id": agent_id, **credential.json()}


def _conformance(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agentgate.conformance", url, *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_suite_passes_against_the_local_stack(local_stack, published_agent):
    result = _conformance(
        local_stack.api_url,
        "--client-id",
        published_agent["client_id"],
        "--client-secret",
        published_agent["client_secret"],
        "--agent",
        f"{published_agent['tenant_id']}/{published_agent['agent_id']}",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "8 passed, 0 failed" in result.stdout
    for check in ("discovery (RFC 8414)", "A2A agent card (a2a-sdk)", "did:web document (pydid)"):
        assert check in result.stdout


def test_the_suite_fails_with_a_wrong_secret_and_says_which_checks(local_stack, published_agent):
    result = _conformance(
        local_stack.api_url,
        "--client-id",
        published_agent["client_id"],
        "--client-secret",
        "not-the-secret",
        "--agent",
        f"{published_agent['tenant_id']}/{published_agent['agent_id']}",
    )

    assert result.returncode == 1, result.stdout
    lines = {line.split("  ")[0].strip(): line for line in result.stdout.splitlines() if "  " in line}
    assert "FAIL" in lines["client credentials token"] and "401" in lines["client credentials token"]
    assert "PASS" in lines["discovery (RFC 8414)"] and "PASS" in lines["A2A agent card (a2a-sdk)"]


def test_the_suite_fails_for_an_agent_that_is_not_published(local_stack, published_agent):
    result = _conformance(
        local_stack.api_url,
        "--client-id",
        published_agent["client_id"],
        "--client-secret",
        published_agent["client_secret"],
        "--agent",
        f"{published_agent['tenant_id']}/agt_not_published",
    )

    assert result.returncode == 1
    assert "answered 404" in result.stdout

"""The GitHub Actions issue-token and register-agent, their steps run under a simulated Actions
environment: a loopback server plays GitHub's ID-token endpoint and OIDC issuer, another plays the
API's token exchange and agents routes; GITHUB_OUTPUT is a temp file."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import yaml

from agentgate_client.auth import ID_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT
from tests.sdk.actions_runner import REPO_ROOT, run_action
from tests.sdk.fake_api import FakeApi, error_body
from tests.sdk.fake_github import FakeGitHubOidc


@pytest.fixture
def github(api: FakeApi) -> Iterator[FakeGitHubOidc]:
    """GitHub's OIDC, its tokens trusted by the fake API (as a matching trust policy would)."""
    api.jwt_tokens = True
    fake = FakeGitHubOidc()
    mint = fake.mint

    def trusted(audience: str) -> str:
        token = mint(audience)
        if audience == "agentgate-ci":
            api.trusted_subject_tokens.add(token)
        return token

    fake.mint = trusted
    yield fake
    fake.close()


def _exchange_forms(api: FakeApi) -> list[dict[str, str]]:
    return [f for f in api.token_forms if f["grant_type"] == TOKEN_EXCHANGE_GRANT]


@pytest.mark.parametrize("name", ["issue-token", "register-agent"])
def test_each_action_declares_its_outputs_and_a_readme(name):
    spec = yaml.safe_load((REPO_ROOT / "actions" / name / "action.yml").read_text())

    assert {"agent-id", "access-token", "expires-at"} <= set(spec["outputs"])
    assert spec["inputs"]["audience"]["default"] == "agentgate" and spec["inputs"]["url"]["required"]
    assert "trust polic" in (REPO_ROOT / "actions" / name / "README.md").read_text()


def test_issue_token_exchanges_the_jobs_id_token_and_sets_masked_outputs(api, github, tmp_path):
    run = run_action(
        "issue-token",
        {"url": api.url, "audience": "agentgate-ci", "scope": "runs:write"},
        github.env(),
        tmp_path,
    )

    assert run.returncode == 0, run.log
    assert github.audiences == ["agentgate-ci"]
    form = _exchange_forms(api)[0]
    assert (form["subject_token"], form["subject_token_type"], form["scope"]) == (
        github.issued[0],
        ID_TOKEN_TYPE,
        "runs:write",
    )
    token = run.outputs["access-token"]
    assert token in api.valid_tokens and run.outputs["agent-id"] == "agt_from_trust_policy"
    assert run.outputs["expires-at"].endswith("Z") and len(run.outputs["expires-at"]) == 20
    # masked before anything prints it: the job's log never shows the token or the ID token
    assert run.masks[:2] == [github.issued[0], token]
    assert token not in run.masked_log() and github.issued[0] not in run.masked_log()
    assert "agt_from_trust_policy" in run.masked_log()


def test_the_issued_token_is_accepted_by_the_api(api, github, tmp_path):
    api.routes[("POST", "/api/v1/authorize")] = lambda fake, req: (
        200,
        {},
        {"decision": "allow", "reasons": []},
    )
    run = run_action("issue-token", {"url": api.url, "audience": "agentgate-ci"}, github.env(), tmp_path)

    from agentgate_client import AgentGate

    with AgentGate(api.url, token=run.outputs["access-token"]) as agent:
        assert agent.authorize("deploy").decision == "allow"


def test_without_id_token_permission_the_action_fails_with_the_fix(api, tmp_path):
    run = run_action("issue-token", {"url": api.url}, {}, tmp_path)

    assert run.returncode == 1 and run.outputs == {}
    assert "::error title=AgentGate::" in run.log and "permissions: id-token: write" in run.log


def test_an_exchange_without_a_matching_trust_policy_fails_and_masks_the_id_token(api, github, tmp_path):
    run = run_action("issue-token", {"url": api.url, "audience": "another-audience"}, github.env(), tmp_path)

    assert run.returncode == 1
    assert "invalid_grant" in run.log and "trust policy" in run.log
    assert github.issued[0] not in run.masked_log()


def _agents_api(api: FakeApi, existing: list[dict]) -> list[tuple[str, dict]]:
    writes: list[tuple[str, dict]] = []

    def listing(fake, request):
        return 200, {}, {"items": existing, "next_cursor": None}

    def create(fake, request):
        body = json.loads(request["body"])
        writes.append(("POST", body))
        return 201, {}, {"id": "agt_new", **body}

    def update(fake, request):
        body = json.loads(request["body"])
        writes.append(("PATCH", body))
        return 200, {}, {**existing[0], **body}

    api.routes[("GET", "/api/v1/agents")] = listing
    api.routes[("POST", "/api/v1/agents")] = create
    for agent in existing:
        api.routes[("PATCH", f"/api/v1/agents/{agent['id']}")] = update
    return writes


def test_register_agent_creates_the_agent_its_inputs_describe(api, github, tmp_path):
    writes = _agents_api(api, [{"id": "agt_other", "name": "other-bot"}])
    inputs = {
        "url": api.url, "audience": "agentgate-ci", "name": "release-bot", "description": "Cuts releases",
        "environment": "production", "team": "platform", "tags": "ci, release",
        "scopes": "runs:write approvals:read",
    }  # fmt: skip

    run = run_action("register-agent", inputs, github.env(), tmp_path)

    assert run.returncode == 0, run.log
    created = {
        "name": "release-bot", "description": "Cuts releases", "environment": "production",
        "team": "platform", "tags": ["ci", "release"], "scopes": ["runs:write", "approvals:read"],
    }  # fmt: skip
    assert writes == [("POST", created)]
    assert (run.outputs["agent-id"], run.outputs["created"]) == ("agt_new", "true")
    assert _exchange_forms(api)[0]["scope"] == "agents:read agents:write"
    assert run.outputs["access-token"] not in run.masked_log()


def test_register_agent_updates_an_agent_of_the_same_name(api, github, tmp_path):
    writes = _agents_api(api, [{"id": "agt_release", "name": "release-bot", "team": "old"}])

    inputs = {"url": api.url, "audience": "agentgate-ci", "name": "release-bot", "team": "platform"}

    run = run_action("register-agent", inputs, github.env(), tmp_path)

    assert run.returncode == 0, run.log
    assert writes == [("PATCH", {"team": "platform"})]
    assert (run.outputs["agent-id"], run.outputs["created"]) == ("agt_release", "false")


def test_register_agent_reports_a_refusal(api, github, tmp_path):
    api.routes[("GET", "/api/v1/agents")] = lambda fake, req: (
        403,
        {},
        error_body("forbidden", "missing scope agents:read"),
    )

    run = run_action(
        "register-agent", {"url": api.url, "audience": "agentgate-ci", "name": "x"}, github.env(), tmp_path
    )

    assert run.returncode == 1 and "missing scope agents:read" in run.log

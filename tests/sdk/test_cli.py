"""The agentgate CLI through typer's runner, against a loopback server playing the API."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from agentgate_client.cli import config
from agentgate_client.cli.main import app
from tests.sdk.fake_api import FakeApi, error_body
from tests.sdk.fake_github import FakeGitHubOidc

runner = CliRunner()
AGENT = {
    "id": "agt_1", "name": "build-bot", "description": "", "type": "custom", "environment": "production",
    "tags": [], "status": "active", "scopes": ["runs:write"], "created_at": "2026-11-23T10:00:00Z",
}  # fmt: skip


@pytest.fixture(autouse=True)
def isolated_config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in ("AGENTGATE_URL", "AGENTGATE_API_KEY", "AGENTGATE_CLIENT_ID", "AGENTGATE_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("ACTIONS_ID_TOKEN_REQUEST_URL", raising=False)
    monkeypatch.delenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", raising=False)
    return tmp_path / "config"


def _agents_route(api: FakeApi, agents: list[dict]) -> None:
    api.routes[("GET", "/api/v1/agents")] = lambda fake, req: (
        200,
        {},
        {"items": agents, "next_cursor": None},
    )


def test_login_with_an_api_key_stores_it_readable_by_the_owner_only(api: FakeApi, isolated_config):
    _agents_route(api, [])

    result = runner.invoke(app, ["--url", api.url, "login", "--api-key", "agk_stored"])

    assert result.exit_code == 0, result.output
    path = config.config_path()
    assert str(path).startswith(str(isolated_config))
    assert (
        stat.S_IMODE(os.stat(path).st_mode) == 0o600 and stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    )
    assert json.loads(path.read_text()) == {"url": api.url, "api_key": "agk_stored"}


def test_login_with_a_refused_api_key_exits_3_and_stores_nothing(api: FakeApi):
    api.routes[("GET", "/api/v1/agents")] = lambda fake, req: (401, {}, error_body("unauthorized", "bad key"))

    result = runner.invoke(app, ["--url", api.url, "login", "--api-key", "agk_wrong"])

    assert result.exit_code == 3 and not config.config_path().exists()


def test_login_with_email_and_password_stores_the_tokens(api: FakeApi):
    tokens = {"id_token": "id", "access_token": "user-token", "refresh_token": "refresh", "expires_in": 3600}
    api.routes[("POST", "/api/v1/auth/login")] = lambda fake, req: (200, {}, {"tokens": tokens})

    result = runner.invoke(
        app, ["--url", api.url, "login", "--email", "me@example.com"], input="secret-pass\n"
    )

    assert result.exit_code == 0, result.output
    stored = json.loads(config.config_path().read_text())
    assert (stored["access_token"], stored["refresh_token"], stored["email"]) == (
        "user-token",
        "refresh",
        "me@example.com",
    )


def test_the_environment_wins_over_the_stored_login(api: FakeApi, monkeypatch):
    seen = []

    def route(fake, request):
        seen.append(request["headers"].get("Authorization"))
        return 200, {}, {"items": [AGENT], "next_cursor": None}

    api.routes[("GET", "/api/v1/agents")] = route
    config.save(config.Login(url="http://127.0.0.1:9", api_key="agk_stored"))
    monkeypatch.setenv("AGENTGATE_URL", api.url)
    monkeypatch.setenv("AGENTGATE_API_KEY", "agk_from_env")

    result = runner.invoke(app, ["agents", "list"])

    assert result.exit_code == 0, result.output
    assert seen == ["Bearer agk_from_env"] and "build-bot" in result.output


def test_agents_list_prints_a_table_and_json_for_scripts(api: FakeApi, monkeypatch):
    _agents_route(api, [AGENT])
    monkeypatch.setenv("AGENTGATE_URL", api.url)
    monkeypatch.setenv("AGENTGATE_API_KEY", "agk_x")

    table = runner.invoke(app, ["agents", "list"])
    as_json = runner.invoke(app, ["--output", "json", "agents", "list"])

    assert table.output.splitlines()[0].split() == [
        "ID",
        "NAME",
        "STATUS",
        "TEAM",
        "ENVIRONMENT",
        "SCOPES",
        "CREATED_AT",
    ]
    assert "agt_1" in table.output.splitlines()[1]
    assert json.loads(as_json.output)[0]["id"] == "agt_1"


@pytest.mark.parametrize(
    ("status", "code", "exit_code"),
    [
        (404, "not_found", 5),
        (403, "forbidden", 4),
        (409, "conflict", 6),
        (400, "validation_error", 7),
        (401, "unauthorized", 3),
    ],
)
def test_api_errors_go_to_stderr_with_an_exit_code_per_kind(
    api: FakeApi, monkeypatch, status, code, exit_code
):
    details = [{"field": "name", "message": "too long"}]
    api.routes[("GET", "/api/v1/agents/agt_x")] = lambda fake, req: (
        status,
        {},
        error_body(code, "refused", details),
    )
    monkeypatch.setenv("AGENTGATE_URL", api.url)
    monkeypatch.setenv("AGENTGATE_API_KEY", "agk_x")

    result = runner.invoke(app, ["agents", "get", "agt_x"])

    assert result.exit_code == exit_code
    assert f"{status} {code}: refused (name: too long)" in result.stderr and result.stdout == ""


def test_an_unreachable_api_exits_8(monkeypatch):
    monkeypatch.setenv("AGENTGATE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AGENTGATE_API_KEY", "agk_x")

    assert runner.invoke(app, ["agents", "list"]).exit_code == 8


def test_without_a_login_a_command_exits_3():
    result = runner.invoke(app, ["agents", "list"])

    assert result.exit_code == 3 and "agentgate login" in result.stderr


def test_audit_verify_exits_1_when_the_chain_is_broken(api: FakeApi, monkeypatch):
    verdict = {"valid": False, "entries_checked": 7, "head_hash": "abc", "first_bad_entry": 4}
    api.routes[("GET", "/api/v1/audit/verify")] = lambda fake, req: (200, {}, verdict)
    monkeypatch.setenv("AGENTGATE_URL", api.url)
    monkeypatch.setenv("AGENTGATE_API_KEY", "agk_x")

    result = runner.invoke(app, ["-o", "json", "audit", "verify"])

    assert result.exit_code == 1 and json.loads(result.stdout)["first_bad_entry"] == 4


def test_token_with_client_credentials_prints_the_access_token(api: FakeApi):
    result = runner.invoke(app, ["--url", api.url, "token", "--client-id", "agc_1", "--client-secret", "s"])

    assert result.exit_code == 0 and result.stdout.strip() == "tok-1"
    assert api.token_forms[0]["grant_type"] == "client_credentials"


def test_token_inside_github_actions_exchanges_the_jobs_oidc_token(api: FakeApi, monkeypatch):
    github = FakeGitHubOidc()
    try:
        for name, value in github.env().items():
            monkeypatch.setenv(name, value)
        original_mint = github.mint

        def mint_trusted(audience):
            token = original_mint(audience)
            api.trusted_subject_tokens.add(token)
            return token

        github.mint = mint_trusted

        result = runner.invoke(app, ["--url", api.url, "-o", "json", "token", "--audience", "agentgate-ci"])
    finally:
        github.close()

    assert result.exit_code == 0, result.output
    form = api.token_forms[-1]
    assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:token-exchange"
    assert form["subject_token"] == github.issued[0]
    assert form["subject_token_type"] == "urn:ietf:params:oauth:token-type:id_token"
    assert github.audiences == ["agentgate-ci"] and json.loads(result.stdout)["access_token"] == "tok-1"


def test_token_exchange_refused_exits_with_the_oauth_error(api: FakeApi, monkeypatch):
    github = FakeGitHubOidc()
    try:
        for name, value in github.env().items():
            monkeypatch.setenv(name, value)
        result = runner.invoke(app, ["--url", api.url, "token"])
    finally:
        github.close()

    assert result.exit_code == 7 and "invalid_grant" in result.stderr


def test_runs_tail_follow_prints_new_runs_as_they_arrive(api: FakeApi, monkeypatch):
    def run(n):
        return {
            "id": f"r{n}", "run_id": f"r{n}", "agent_id": "agt_1", "team": None, "status": "success",
            "start_time": "2026-11-23T10:00:00Z", "end_time": None, "latency_ms": 5, "model": "gpt-4o",
            "provider": "openai", "token_usage": {"input": 1, "output": 1, "cache_read": 0, "cache_write": 0},
            "cost_usd": "0.01", "unpriced": False, "price_version": "v1", "external_reference": None,
            "policy_decisions": [], "event_count": 0, "received_at": "2026-11-23T10:00:01Z",
        }  # fmt: skip

    polls = []

    def route(fake, request):
        polls.append(1)
        newest_first = [run(n) for n in range(min(len(polls), 3), 0, -1)]
        return 200, {}, {"items": newest_first, "next_cursor": None}

    api.routes[("GET", "/api/v1/runs")] = route
    monkeypatch.setenv("AGENTGATE_URL", api.url)
    monkeypatch.setenv("AGENTGATE_API_KEY", "agk_x")

    result = runner.invoke(app, ["runs", "tail", "--follow", "--interval", "0.1", "--timeout", "1.5"])

    assert result.exit_code == 0, result.output
    printed = [line.split()[1] for line in result.stdout.splitlines()]
    assert printed == ["r1", "r2", "r3"]  # each run once, oldest first
    assert 4 <= len(polls) <= 12  # backed off while nothing new arrived


def test_conformance_reports_failures_and_exits_1(api: FakeApi):
    result = runner.invoke(app, ["-o", "json", "conformance", api.url])

    checks = {c["name"]: c["status"] for c in json.loads(result.stdout)}
    assert result.exit_code == 1 and checks["openid-configuration"] == "fail"


def _binary() -> str:
    return os.path.join(os.path.dirname(sys.executable), "agentgate")


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o default -F"),
        ("zsh", "#compdef agentgate"),
        ("fish", "complete --command agentgate"),
    ],
)
def test_show_completion_prints_each_shells_script(shell, marker):
    env = {**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}

    script = subprocess.run(
        [_binary(), "--show-completion", shell], env=env, capture_output=True, text=True, timeout=60
    )

    assert script.returncode == 0 and marker in script.stdout and "_AGENTGATE_COMPLETE" in script.stdout


def test_bash_completion_completes_commands_and_subcommands():
    binary = _binary()
    env = {
        **os.environ,
        "_AGENTGATE_COMPLETE": "complete_bash",
        "COMP_WORDS": "agentgate agents p",
        "COMP_CWORD": "2",
    }

    result = subprocess.run([binary], env=env, capture_output=True, text=True, timeout=60)

    assert result.stdout.split() == ["pause"]


def test_an_expired_person_login_is_renewed_with_its_refresh_token(api: FakeApi):
    refreshed = {"id_token": "id", "access_token": "agk_renewed-user-token", "expires_in": 3600}
    api.routes[("POST", "/api/v1/auth/refresh-token")] = lambda fake, req: (
        (200, {}, {"tokens": refreshed})
        if json.loads(req["body"]) == {"refresh_token": "refresh-1"}
        else (400, {}, {})
    )
    seen = []
    api.routes[("GET", "/api/v1/agents")] = lambda fake, req: (
        seen.append(req["headers"]["Authorization"]) or (200, {}, {"items": [], "next_cursor": None})
    )
    config.save(config.Login(url=api.url, access_token="old", refresh_token="refresh-1", expires_at=1.0))

    result = runner.invoke(app, ["agents", "list"])

    assert result.exit_code == 0, result.output
    assert seen == ["Bearer agk_renewed-user-token"]
    stored = json.loads(config.config_path().read_text())
    assert stored["access_token"] == "agk_renewed-user-token" and stored["expires_at"] > 1.0

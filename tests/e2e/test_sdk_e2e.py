"""The SDK and the agentgate CLI against the running local stack (the same as `make dev`).

The SDK README's quick start runs as written, with the banner's credentials; the CLI runs as a
subprocess, as a person or a script would run it; runs recorded by the SDK are read back stored once.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from agentgate_client import AgentGate, AgentGateAdmin, NotFound

pytestmark = pytest.mark.e2e
REPO_ROOT = Path(__file__).resolve().parents[2]
AGENTGATE = str(Path(sys.executable).with_name("agentgate"))


def _banner(stack) -> dict[str, str]:
    log = stack.log()
    return {
        "AGENTGATE_URL": stack.api_url,
        "CLIENT_ID": re.search(r"client id\s+(\S+)", log).group(1),
        "CLIENT_SECRET": re.search(r"client secret\s+(\S+)", log).group(1),
        "API_KEY": re.search(r"admin API key (agk_\S+)", log).group(1),
    }


def _quick_start() -> str:
    readme = (REPO_ROOT / "sdk" / "README.md").read_text()
    return re.search(r"```python\n(.*?)```", readme, re.DOTALL).group(1)


def test_the_sdk_readmes_quick_start_runs_as_written(local_stack, tmp_path):
    script = tmp_path / "quick_start.py"
    script.write_text(_quick_start())

    result = subprocess.run(
        [sys.executable, str(script)],
        env={**os.environ, **_banner(local_stack)},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert re.search(r"^authorize: (allow|deny|pending) ", result.stdout, re.MULTILINE), result.stdout
    stored = re.search(r"^stored: (run_\w+) cost_usd: (\S+) price: (\S+)", result.stdout, re.MULTILINE)
    assert stored and stored.group(2) != "None", result.stdout
    assert "demo-agent" in result.stdout


def test_runs_recorded_from_threads_are_stored_once_each(local_stack):
    banner = _banner(local_stack)
    api = local_stack.api_url
    prefix = f"e2e-sdk-{uuid.uuid4().hex[:8]}"
    with AgentGate(api, banner["CLIENT_ID"], banner["CLIENT_SECRET"], flush_interval=0.2) as agent:
        ids = [
            agent.runs.record(
                run_id=f"{prefix}-{i}", model="gpt-4o", token_usage={"input": 100, "output": 10}
            )
            for i in range(60)
        ]
        agent.runs.record(run_id=f"{prefix}-0", model="gpt-4o")  # a resend of the same run
        agent.runs.record(run_id=f"{prefix}-bad", status="success", start_time="not-a-time")
        assert agent.flush(timeout=60)
        stats = agent.runs.stats()
    assert (stats.accepted, stats.dropped_invalid) == (61, 1)

    admin = AgentGateAdmin(api, api_key=banner["API_KEY"])
    deadline = time.monotonic() + 90
    missing = set(ids)
    while missing and time.monotonic() < deadline:  # the stream consumer's pace
        for run_id in sorted(missing):
            try:
                admin.runs.get(run_id)
                missing.discard(run_id)
            except NotFound:
                break
        time.sleep(0.3)
    assert not missing
    stored = [r for r in admin.runs.list(limit=200).items if r.run_id.startswith(prefix)]
    assert sorted(r.run_id for r in stored) == sorted(ids)  # the resend did not make a second run
    with pytest.raises(NotFound):
        admin.runs.get(f"{prefix}-bad")


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AGENTGATE, *args], env=env, capture_output=True, text=True, timeout=120)


def test_the_cli_drives_agents_credentials_tokens_runs_and_audit(local_stack, tmp_path):
    banner = _banner(local_stack)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENTGATE_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")

    login = _cli(env, "--url", local_stack.api_url, "login", "--api-key", banner["API_KEY"])
    assert login.returncode == 0, login.stderr
    assert oct(os.stat(tmp_path / "config" / "agentgate" / "config.json").st_mode & 0o777) == "0o600"

    created = _cli(
        env, "-o", "json", "agents", "create", "cli-e2e-bot", "--scope", "runs:write", "--team", "cli"
    )
    assert created.returncode == 0, created.stderr
    agent_id = json.loads(created.stdout)["id"]
    listed = _cli(env, "agents", "list", "--team", "cli")
    assert agent_id in listed.stdout and listed.stdout.startswith("ID ")

    credential = json.loads(_cli(env, "-o", "json", "credentials", "create", agent_id).stdout)
    token = _cli(
        env, "token", "--client-id", credential["client_id"], "--client-secret", credential["client_secret"]
    )
    assert token.returncode == 0 and token.stdout.count(".") == 2, token.stderr  # a JWT
    assert credential["credential_id"] in _cli(env, "credentials", "list", agent_id).stdout

    paused = _cli(env, "-o", "json", "agents", "pause", agent_id, "--reason", "e2e")
    assert json.loads(paused.stdout)["status"] == "paused"
    assert json.loads(_cli(env, "-o", "json", "agents", "resume", agent_id).stdout)["status"] == "active"

    assert _cli(env, "runs", "list", "--limit", "5").returncode == 0
    assert _cli(env, "runs", "tail", "--limit", "3").returncode == 0
    verify = _cli(env, "-o", "json", "audit", "verify")
    assert verify.returncode == 0 and json.loads(verify.stdout)["valid"] is True
    assert _cli(env, "approvals", "list", "--status", "pending").returncode == 0

    revoked = _cli(env, "credentials", "revoke", agent_id, credential["credential_id"])
    assert revoked.returncode == 0, revoked.stderr
    assert _cli(env, "agents", "delete", agent_id, "--yes").returncode == 0
    missing = _cli(env, "agents", "get", agent_id)
    assert missing.returncode == 5 and "404" in missing.stderr


def test_cli_conformance_passes_against_the_local_stack(local_stack, tmp_path):
    banner = _banner(local_stack)
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path)}

    result = _cli(
        env, "-o", "json", "conformance", local_stack.api_url,
        "--client-id", banner["CLIENT_ID"], "--client-secret", banner["CLIENT_SECRET"],
    )  # fmt: skip

    checks = {c["name"]: c for c in json.loads(result.stdout)}
    assert result.returncode == 0, checks
    assert all(c["status"] == "pass" for c in checks.values()), checks


def test_the_cli_signs_a_person_in_with_email_and_password(local_stack, tmp_path):
    log = local_stack.log()
    email, password = re.search(r"owner login\s+(\S+) / (\S+)", log).groups()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENTGATE_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path)

    login = _cli(env, "--url", local_stack.api_url, "login", "--email", email, "--password", password)
    agents = _cli(env, "-o", "json", "agents", "list")
    wrong = _cli(
        env, "--url", local_stack.api_url, "login", "--email", email, "--password", "not-the-password-1"
    )

    assert login.returncode == 0, login.stderr
    assert "demo-agent" in [a["name"] for a in json.loads(agents.stdout)]
    assert wrong.returncode == 3 and "sign-in refused" in wrong.stderr

"""schemathesis against the running local stack: no 5xx and every answer as documented.

Three callers, each over the operations it may call: a tenant's admin API key (every operation), an
agent's token (the operations agents call) and no credentials (the public ones). Every phase runs
(examples, coverage, fuzzing, stateful) with the checks ``not_a_server_error`` and
``response_schema_conformance``, a fixed seed and a fixed example count, so a run is reproducible and
fits the CI budget. The tenant is moved to the enterprise usage plan first (as an upgrade would), so
the run exercises the routes' logic instead of the free tier's throttle.

A failure prints schemathesis' report with a ``curl`` line that reproduces each finding.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import pytest
import requests

pytestmark = pytest.mark.e2e
TIMEOUT = 30
SEED = int(os.environ.get("FUZZ_SEED", "20261201"))
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
PHASES = "examples,coverage,fuzzing,stateful"
CHECKS = "not_a_server_error,response_schema_conformance"


def _move_to_enterprise(aws_url: str, tenant_id: str) -> None:
    apigateway = boto3.client(
        "apigateway",
        endpoint_url=aws_url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    key = next(k for k in apigateway.get_api_keys(limit=500)["items"] if k["name"] == f"tenant-{tenant_id}")
    plans = {p["name"].rsplit("-", 1)[-1]: p["id"] for p in apigateway.get_usage_plans(limit=500)["items"]}
    apigateway.delete_usage_plan_key(usagePlanId=plans["free"], keyId=key["id"])
    apigateway.create_usage_plan_key(usagePlanId=plans["enterprise"], keyId=key["id"], keyType="API_KEY")


@pytest.fixture(scope="module")
def callers(local_stack) -> dict[str, str | None]:
    api = local_stack.api_url
    signup = requests.post(
        f"{api}/api/v1/auth/signup",
        json={
            "org_name": "Fuzz",
            "email": f"fuzz-{uuid.uuid4().hex[:8]}@e2e.example",
            "password": "Fuzz-pass-123!",
        },
        timeout=TIMEOUT,
    )
    assert signup.status_code == 201, signup.text
    _move_to_enterprise(local_stack.aws_url, signup.json()["tenant_id"])
    owner = {"Authorization": f"Bearer {signup.json()['tokens']['access_token']}"}
    key = requests.post(
        f"{api}/api/v1/api-keys", json={"name": "fuzz", "scopes": ["admin"]}, headers=owner, timeout=TIMEOUT
    )
    assert key.status_code == 201, key.text
    agent = requests.post(
        f"{api}/api/v1/agents",
        json={"name": "fuzz-agent", "scopes": ["runs:write", "approvals:read"]},
        headers=owner,
        timeout=TIMEOUT,
    )
    assert agent.status_code == 201, agent.text
    credential = requests.post(
        f"{api}/api/v1/agents/{agent.json()['id']}/credentials", json={}, headers=owner, timeout=TIMEOUT
    )
    assert credential.status_code == 201, credential.text
    token = requests.post(
        f"{api}/oauth2/token",
        data={"grant_type": "client_credentials", "scope": "runs:write approvals:read"},
        auth=(credential.json()["client_id"], credential.json()["client_secret"]),
        timeout=TIMEOUT,
    )
    assert token.status_code == 200, token.text
    return {
        "apikey": f"Bearer {key.json()['key']}",
        "agent": f"Bearer {token.json()['access_token']}",
        "public": None,
    }


def _schema_for(document: dict, caller: str, path: Path) -> Path:
    """The document restricted to the operations ``caller`` may call (the others answer 401 or 403)."""
    kept = {}
    for route, operations in document["paths"].items():
        mine = {
            method: op
            for method, op in operations.items()
            if caller == "apikey" or caller in op.get("x-agentgate-callers", [])
        }
        if mine:
            kept[route] = mine
    path.write_text(json.dumps({**document, "paths": kept}))
    return path


# The agent first: the admin run may pause or delete things (emergency pause-all) the agent needs.
@pytest.mark.parametrize("caller", ["agent", "public", "apikey"])
def test_schemathesis_finds_no_server_error_and_no_undocumented_answer(
    local_stack, callers, caller, tmp_path
):
    document = requests.get(f"{local_stack.api_url}/openapi.json", timeout=TIMEOUT).json()
    schema = _schema_for(document, caller, tmp_path / f"openapi-{caller}.json")
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        str(schema),
        "--url",
        local_stack.api_url,
        "--checks",
        CHECKS,
        "--phases",
        PHASES,
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        str(SEED),
        # One worker: hypothesis describes strategies with ast.parse, which is not thread-safe on 3.11.
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--request-timeout",
        "30",
        "--no-color",
        "--warnings",
        "off",
    ]
    if callers[caller]:
        command += ["--header", f"Authorization: {callers[caller]}"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    report = done.stdout + done.stderr
    print(report[-3000:])
    errors = _function_errors(local_stack.log_path)
    assert done.returncode == 0, f"schemathesis ({caller}) found failures:\n{report[-20000:]}\n{errors}"


def _function_errors(log_path: Path) -> str:
    """The tracebacks the stack logged for the functions that failed: what a 502 in the report was."""
    text = log_path.read_text(errors="replace") if log_path.is_file() else ""
    blocks = re.findall(r"^.* failed:\nTraceback.*?(?=^\d{4}-\d{2}-\d{2} |\Z)", text, flags=re.M | re.S)
    return "Function errors in the stack's log:\n" + ("\n".join(blocks[-5:])[-15000:] or "(none)")

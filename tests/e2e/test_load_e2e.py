"""``make load``'s machinery against the running local stack: a breached threshold exits non-zero.

The product's speed is not judged here (that is what ``make load`` prints); an impossible threshold
(p95 under a microsecond) proves a breach is reported and fails the command.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
import requests

from tests.load.run import SCENARIOS

pytestmark = pytest.mark.e2e


def test_an_impossible_threshold_makes_the_load_run_fail_with_its_table(local_stack):
    api = local_stack.api_url
    signup = requests.post(
        f"{api}/api/v1/auth/signup",
        json={
            "org_name": "Load",
            "email": f"load-{uuid.uuid4().hex[:8]}@e2e.example",
            "password": "Load-pass-123!",
        },
        timeout=30,
    )
    assert signup.status_code == 201, signup.text
    key = requests.post(
        f"{api}/api/v1/api-keys",
        json={"name": "load", "scopes": ["admin"]},
        headers={"Authorization": f"Bearer {signup.json()['tokens']['access_token']}"},
        timeout=30,
    )
    assert key.status_code == 201, key.text

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.load.run",
            "--url",
            api,
            "--users",
            "1",
            "--duration",
            "6",
            "--warmup",
            "2",
            "--p95-ms",
            "0.001",
        ],
        env={**os.environ, "AGENTGATE_ADMIN_KEY": key.json()["key"]},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    assert done.returncode == 1, done.stdout + done.stderr
    assert "THRESHOLDS BREACHED" in done.stdout
    assert "warm-up: " in done.stdout and "failed (latencies not counted in the table)" in done.stdout
    assert "token issuance" in done.stdout and all(name in done.stdout for name in SCENARIOS)

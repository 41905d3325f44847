"""The e2e harness: the local stack (``python -m infra.local``) as a subprocess on free ports.

``local_stack`` (session-scoped) starts one stack, waits for its ready line and yields its API
and AWS endpoint; ``start_stack`` starts more (two stacks side by side) and ``stop_stack`` stops one.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
READY = re.compile(r"^READY api=(\S+) aws=(\S+)$", re.MULTILINE)
START_TIMEOUT_SECONDS = 120.0
STOP_TIMEOUT_SECONDS = 30.0


@dataclass
class RunningStack:
    api_url: str
    aws_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_stack(log_path: Path) -> RunningStack:
    """Start a stack on free ports (``PORT``, ``AWS_PORT``, ``STRIPE_PORT`` 0); wait until it says READY."""
    env = {**os.environ, "PORT": "0", "AWS_PORT": "0", "STRIPE_PORT": "0", "PYTHONUNBUFFERED": "1"}
    env.pop("AWS_ENDPOINT_URL", None)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "infra.local"],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        text = log_path.read_text(errors="replace")
        ready = READY.search(text)
        if ready:
            return RunningStack(ready.group(1), ready.group(2), process, log_path)
        if process.poll() is not None:
            pytest.fail(f"the local stack exited with {process.returncode}:\n{text}")
        time.sleep(0.1)
    process.kill()
    pytest.fail(f"the local stack was not ready in {START_TIMEOUT_SECONDS}s:\n{log_path.read_text()}")


def stop_stack(stack: RunningStack) -> int:
    """Ctrl-C, as a developer would; returns the exit code."""
    if stack.process.poll() is None:
        stack.process.send_signal(signal.SIGINT)
        try:
            stack.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            stack.process.kill()
            stack.process.wait()
    return stack.process.returncode


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    stack = start_stack(tmp_path_factory.mktemp("stack") / "stack.log")
    yield stack
    stop_stack(stack)

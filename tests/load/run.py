"""``make load``: the locust scenarios against a fresh local stack or a deployment, with thresholds.

    python -m tests.load.run                                   # a fresh local stack, a short profile
    python -m tests.load.run --url https://api.example.com --users 50 --duration 300
        (with AGENTGATE_ADMIN_KEY=agk_... of a tenant on a tier whose throttle allows the load)

Prints p50 / p95 / p99, throughput and error rate per scenario and exits non-zero when any scenario
breaks a threshold (p95 above ``--p95-ms``, errors above ``--max-error-rate``) or made no request.
Against the local stack it signs up a tenant and upgrades it to enterprise (checkout and the Stripe
emulator's Pay), so the figures measure the API rather than the free tier's throttle and agent
limit. A warm-up (``--warmup``, 10 s) of the same load runs first: its errors count, its latencies
(each function's first calls) do not.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
READY = re.compile(r"^READY api=(\S+) aws=(\S+)$", re.MULTILINE)
SCENARIOS = ("agent registration", "token issuance", "credential rotation", "ingestion (batch)", "/authorize")


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float

    @property
    def error_rate(self) -> float:
        return self.failures / self.requests if self.requests else 0.0

    def breaches(self, p95_ms: float, max_error_rate: float) -> list[str]:
        if self.requests == 0:
            return ["no requests"]
        found = []
        if self.p95 > p95_ms:
            found.append(f"p95 {self.p95:.0f} ms > {p95_ms:.0f} ms")
        if self.error_rate > max_error_rate:
            found.append(f"errors {self.error_rate:.2%} > {max_error_rate:.2%}")
        return found


def read_stats(path: Path) -> dict[str, ScenarioResult]:
    """locust's ``<prefix>_stats.csv``: one row per request name, percentiles in milliseconds."""
    results = {}
    with path.open() as rows:
        for row in csv.DictReader(rows):
            if row["Name"] == "Aggregated":
                continue
            results[row["Name"]] = ScenarioResult(
                name=row["Name"],
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                rps=float(row["Requests/s"]),
                p50=float(row["50%"] or 0),
                p95=float(row["95%"] or 0),
                p99=float(row["99%"] or 0),
            )
    return results


def report(results: dict[str, ScenarioResult], p95_ms: float, max_error_rate: float) -> tuple[str, bool]:
    lines = [
        f"{'scenario':<22}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
        f"{'errors':>9}  verdict",
    ]
    held = True
    for name in SCENARIOS:
        result = results.get(name, ScenarioResult(name, 0, 0, 0.0, 0.0, 0.0, 0.0))
        breaches = result.breaches(p95_ms, max_error_rate)
        held = held and not breaches
        lines.append(
            f"{name:<22}{result.requests:>9}{result.rps:>8.1f}{result.p50:>8.0f}{result.p95:>8.0f}"
            f"{result.p99:>8.0f}{result.error_rate:>9.2%}  {'; '.join(breaches) or 'ok'}"
        )
    lines.append(f"thresholds: p95 < {p95_ms:.0f} ms, errors < {max_error_rate:.2%} per scenario")
    return "\n".join(lines), held


def warmup_summary(path: Path, max_error_rate: float) -> tuple[str, bool]:
    """The warm-up run in one line. Its latencies are not judged, its errors are (all scenarios together)."""
    if not path.is_file():
        return "warm-up: locust wrote no statistics", False
    results = read_stats(path).values()
    requests = sum(result.requests for result in results)
    failures = sum(result.failures for result in results)
    held = requests > 0 and failures <= max_error_rate * requests
    line = f"warm-up: {requests} requests, {failures} failed (latencies not counted in the table)"
    return line if held else f"{line}: BREACHED", held


# --- a fresh local stack ------------------------------------------------------------------------------


def start_local_stack(log_path: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    env = {**os.environ, "PORT": "0", "AWS_PORT": "0", "PYTHONUNBUFFERED": "1"}
    env.pop("AWS_ENDPOINT_URL", None)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "infra.local"],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        ready = READY.search(log_path.read_text(errors="replace"))
        if ready:
            return process, ready.group(1), ready.group(2)
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    raise SystemExit(f"the local stack did not start; see {log_path}")


def provision_local_tenant(api: str) -> str:
    """A tenant upgraded to enterprise as an owner upgrades (checkout, the Stripe emulator's Pay, its
    webhook), so its agent limit and throttle are enterprise's, and an admin API key of it."""
    import requests

    signup = requests.post(
        f"{api}/api/v1/auth/signup",
        json={
            "org_name": "Load",
            "email": f"load-{uuid.uuid4().hex[:8]}@load.example",
            "password": "Load-pass-123!",
        },
        timeout=60,
    )
    signup.raise_for_status()
    owner = {"Authorization": f"Bearer {signup.json()['tokens']['access_token']}"}
    checkout = requests.post(
        f"{api}/api/v1/billing/checkout", json={"tier": "enterprise"}, headers=owner, timeout=60
    )
    checkout.raise_for_status()
    requests.post(checkout.json()["url"], timeout=60).raise_for_status()  # the Pay button
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        subscription = requests.get(f"{api}/api/v1/billing/subscription", headers=owner, timeout=60)
        if subscription.ok and subscription.json()["tier"] == "enterprise":
            break
        time.sleep(0.5)
    else:
        raise SystemExit("the load tenant's upgrade to enterprise did not arrive within 60 s")
    created = requests.post(
        f"{api}/api/v1/api-keys", json={"name": "load", "scopes": ["admin"]}, headers=owner, timeout=60
    )
    created.raise_for_status()
    return str(created.json()["key"])


def run_locust(
    url: str, admin_key: str, users: int, spawn_rate: float, duration: int, out: Path, name: str = "load"
) -> Path:
    prefix = out / name
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        f"{duration}s",
        "--host",
        url,
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--stop-timeout",
        "10",
    ]
    subprocess.run(command, env={**os.environ, "AGENTGATE_ADMIN_KEY": admin_key}, check=False, cwd=REPO_ROOT)
    return Path(f"{prefix}_stats.csv")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.load.run", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--url", default=os.environ.get("URL") or None, help="a deployment; default: a local stack"
    )
    parser.add_argument("--users", type=int, default=int(os.environ.get("USERS") or 8))
    parser.add_argument("--spawn-rate", type=float, default=float(os.environ.get("SPAWN_RATE") or 4))
    parser.add_argument("--duration", type=int, default=int(os.environ.get("DURATION") or 60), help="seconds")
    parser.add_argument(
        "--warmup",
        type=int,
        default=int(os.environ.get("WARMUP") or 10),
        help="seconds of the same load run first and not counted (each function's first calls); 0: none",
    )
    parser.add_argument("--p95-ms", type=float, default=float(os.environ.get("P95_MS") or 500))
    parser.add_argument(
        "--max-error-rate", type=float, default=float(os.environ.get("MAX_ERROR_RATE") or 0.01)
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="agentgate-load-") as scratch:
        out = Path(scratch)
        stack = None
        warm_held = True
        try:
            if args.url:
                url, admin_key = args.url.rstrip("/"), os.environ.get("AGENTGATE_ADMIN_KEY", "")
                if not admin_key:
                    print(
                        "Set AGENTGATE_ADMIN_KEY to an admin API key of the tenant to load.", file=sys.stderr
                    )
                    return 2
            else:
                print("Starting a fresh local stack ...", flush=True)
                stack, url, _ = start_local_stack(out / "stack.log")
                admin_key = provision_local_tenant(url)
            if args.warmup > 0:
                print(f"Warm-up: {args.users} users for {args.warmup}s, not counted ...", flush=True)
                warm = run_locust(url, admin_key, args.users, args.spawn_rate, args.warmup, out, "warmup")
                line, warm_held = warmup_summary(warm, args.max_error_rate)
                print(line, flush=True)
            print(
                f"Load: {args.users} users (spawn {args.spawn_rate}/s) for {args.duration}s against {url}",
                flush=True,
            )
            stats = run_locust(url, admin_key, args.users, args.spawn_rate, args.duration, out)
            if not stats.is_file():
                print("locust wrote no statistics", file=sys.stderr)
                return 1
            table, held = report(read_stats(stats), args.p95_ms, args.max_error_rate)
            held = held and warm_held
        finally:
            if stack is not None:
                stack.terminate()
                try:
                    stack.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    stack.kill()
    print(table)
    print("thresholds held" if held else "THRESHOLDS BREACHED")
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())

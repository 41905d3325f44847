"""Health probes: one cheap call per dependency, run concurrently, each timed."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from agentgate import __name__ as package_name
from agentgate.platform.aws import client
from agentgate.platform.settings import get_settings
from agentgate.schemas.health import DependencyHealth, DependencyStatus, DetailedHealth, Health

VERSION = "0.1.0"
# Above this a dependency answers but is reported degraded.
DEGRADED_AFTER_MS = 1000.0


def liveness() -> Health:
    return Health(status="ok", service=package_name, version=VERSION)


def _probe_dynamodb(dynamodb: Any) -> None:
    dynamodb.describe_table(TableName=get_settings().table_name)


def _probe_kinesis(kinesis: Any) -> None:
    kinesis.describe_stream_summary(StreamName=get_settings().runs_stream)


def _probe_kms(kms: Any) -> None:
    kms.describe_key(KeyId=get_settings().signing_key_alias)


def _probe_stepfunctions(stepfunctions: Any) -> None:
    arn = get_settings().approval_state_machine_arn
    if arn:
        stepfunctions.describe_state_machine(stateMachineArn=arn)
    else:
        stepfunctions.list_state_machines(maxResults=1)


# Dependency name (also its boto3 service name) -> a cheap call that proves it answers.
PROBES: dict[str, Callable[[Any], None]] = {
    "dynamodb": _probe_dynamodb,
    "kinesis": _probe_kinesis,
    "kms": _probe_kms,
    "stepfunctions": _probe_stepfunctions,
}


def _timed(service: str, probe: Callable[[Any], None]) -> DependencyHealth:
    aws_client = client(service)  # created before the clock starts: its cost is not the dependency's
    started = time.perf_counter()
    try:
        probe(aws_client)
    except (BotoCoreError, ClientError) as exc:
        elapsed = (time.perf_counter() - started) * 1000
        return DependencyHealth(status="unreachable", latency_ms=round(elapsed, 1), error=type(exc).__name__)
    elapsed = (time.perf_counter() - started) * 1000
    status: DependencyStatus = "degraded" if elapsed > DEGRADED_AFTER_MS else "healthy"
    return DependencyHealth(status=status, latency_ms=round(elapsed, 1))


def detailed(probes: dict[str, Callable[[Any], None]] | None = None) -> DetailedHealth:
    probes = probes or PROBES
    with ThreadPoolExecutor(max_workers=len(probes)) as pool:
        futures = {name: pool.submit(_timed, name, probe) for name, probe in probes.items()}
        results = {name: future.result() for name, future in futures.items()}
    overall: DependencyStatus
    # API.md: any unreachable dependency is a 503 (some routes cannot work), a slow one a 207.
    if any(r.status == "unreachable" for r in results.values()):
        overall = "unreachable"
    elif any(r.status != "healthy" for r in results.values()):
        overall = "degraded"
    else:
        overall = "healthy"
    return DetailedHealth(status=overall, dependencies=results)


def http_status(report: DetailedHealth) -> int:
    return {"healthy": 200, "degraded": 207, "unreachable": 503}[report.status]

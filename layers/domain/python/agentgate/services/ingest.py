"""Run ingestion: validate, resolve the agent, put the runs on the runs stream.

Nothing is stored here: the runs consumer stores, costs and counts each run once. The
stream record carries who sent the run (tenant, agent, team, tier), taken from the
authorizer's context and the agent registry, never from the run itself.

Limits: 500 runs per batch and 5 MB per request (API.md), 1,000 events per run, and
1 MB per run (a Kinesis record holds 1 MiB). Past a limit: 413 for size, 400 otherwise.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError
from pydantic import ValidationError

from agentgate.data.tenant import tenant_data
from agentgate.models import AgentItem
from agentgate.platform.api import validation_details
from agentgate.platform.aws import client
from agentgate.platform.errors import (
    DependencyUnavailable,
    DomainError,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    field_error,
)
from agentgate.platform.settings import get_settings
from agentgate.platform.tenancy import Caller, TenantContext
from agentgate.schemas.runs import (
    MAX_REQUEST_BYTES,
    MAX_RUN_BYTES,
    BatchRunResult,
    IngestAccepted,
    IngestBatch,
    IngestBatchResult,
    RunEnvelope,
    RunIn,
)

# PutRecords takes at most 500 records and 5 MiB a call.
PUT_RECORDS_MAX_ENTRIES = 500
PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024
# Failed entries (throttled shards) are retried this many times, with a short backoff.
PUT_RETRIES = 3
PUT_BACKOFF_SECONDS = 0.05


@dataclass
class _Outgoing:
    index: int
    run_id: str
    partition_key: str
    data: bytes


def check_request_size(body: str | bytes) -> None:
    size = len(body.encode() if isinstance(body, str) else body)
    if size > MAX_REQUEST_BYTES:
        raise PayloadTooLarge(
            f"The request is {size} bytes; the limit is {MAX_REQUEST_BYTES} bytes.", code="request_too_large"
        )


def ingest_run(ctx: TenantContext, body: str | bytes) -> IngestAccepted:
    """One run: any problem refuses the request (400 / 403 / 404 / 413)."""
    check_request_size(body)
    run = RunIn.model_validate_json(body)
    agents = _AgentResolver(ctx)
    outgoing = _envelope(ctx, run, agents, index=0)
    failed = put_on_stream([outgoing])
    if failed:
        raise DependencyUnavailable("The runs stream is busy; retry shortly.", headers={"Retry-After": "1"})
    return IngestAccepted(run_id=run.run_id)


def ingest_batch(ctx: TenantContext, body: str | bytes) -> IngestBatchResult:
    """Many runs: each is accepted (202) or refused with its own status and error."""
    check_request_size(body)
    batch = IngestBatch.model_validate_json(body)
    agents = _AgentResolver(ctx)
    results: list[BatchRunResult] = []
    outgoing: list[_Outgoing] = []
    for index, raw in enumerate(batch.runs):
        run_id = raw.get("run_id") if isinstance(raw.get("run_id"), str) else None
        try:
            run = RunIn.model_validate(raw)
            outgoing.append(_envelope(ctx, run, agents, index))
        except ValidationError as exc:
            details = validation_details(exc.errors())
            results.append(
                BatchRunResult(run_id=run_id, status=400, error=_error("validation_error", details))
            )
            continue
        except DomainError as exc:
            results.append(
                BatchRunResult(
                    run_id=run_id, status=exc.status, error=_error(exc.code, exc.details, exc.message)
                )
            )
            continue
        results.append(BatchRunResult(run_id=run.run_id, status=202))
    failed = put_on_stream(outgoing)
    for item in outgoing:
        if item.index in failed:
            results[item.index] = BatchRunResult(
                run_id=item.run_id,
                status=503,
                error=_error("dependency_unavailable", [], "The runs stream is busy; retry this run."),
            )
    accepted = sum(1 for r in results if r.status == 202)
    return IngestBatchResult(results=results, accepted=accepted, rejected=len(results) - accepted)


def _error(code: str, details: list[dict[str, Any]], message: str | None = None) -> dict[str, Any]:
    fields = ", ".join(sorted({str(d.get("field")) for d in details if d.get("field")}))
    return {"code": code, "message": message or f"Invalid run: {fields}", "details": details}


class _AgentResolver:
    """Which agent a run belongs to: the calling agent itself, or an agent of the API key's tenant."""

    def __init__(self, ctx: TenantContext) -> None:
        self.ctx = ctx
        self._teams: dict[str, str | None] = {}

    def resolve(self, run: RunIn) -> tuple[str, str | None]:
        principal = self.ctx.principal
        if principal.kind is Caller.AGENT:
            own = principal.agent_id or principal.id
            if run.agent_id is not None and run.agent_id != own:
                raise Forbidden("An agent may ingest only its own runs.", code="agent_mismatch")
            return own, principal.team
        if run.agent_id is None:
            raise field_error("agent_id", "an API key must name the agent of the run", "missing")
        if run.agent_id not in self._teams:
            agent = tenant_data(self.ctx).find(AgentItem, AgentItem.sk_for(run.agent_id))
            if agent is None:
                raise NotFound(f"No agent {run.agent_id}.", code="agent_not_found")
            self._teams[run.agent_id] = agent.team
        return run.agent_id, self._teams[run.agent_id]


def _envelope(ctx: TenantContext, run: RunIn, agents: _AgentResolver, index: int) -> _Outgoing:
    agent_id, agent_team = agents.resolve(run)
    envelope = RunEnvelope(
        tenant_id=ctx.tenant_id,
        tier=ctx.tier,
        agent_id=agent_id,
        team=run.team or agent_team,
        received_at=datetime.now(UTC),
        run=run,
    )
    data = envelope.model_dump_json(exclude_none=True).encode()
    if len(data) > MAX_RUN_BYTES:
        raise PayloadTooLarge(
            f"Run {run.run_id} is {len(data)} bytes; a run may be at most {MAX_RUN_BYTES} bytes.",
            code="run_too_large",
            details=[{"field": "run", "issue": "too_large", "message": f"at most {MAX_RUN_BYTES} bytes"}],
        )
    return _Outgoing(index=index, run_id=run.run_id, partition_key=f"{ctx.tenant_id}:{agent_id}", data=data)


def _chunks(items: list[_Outgoing]) -> list[list[_Outgoing]]:
    chunks: list[list[_Outgoing]] = []
    current: list[_Outgoing] = []
    size = 0
    for item in items:
        item_size = len(item.data) + len(item.partition_key.encode())
        if current and (len(current) >= PUT_RECORDS_MAX_ENTRIES or size + item_size > PUT_RECORDS_MAX_BYTES):
            chunks.append(current)
            current, size = [], 0
        current.append(item)
        size += item_size
    if current:
        chunks.append(current)
    return chunks


def put_on_stream(items: list[_Outgoing]) -> set[int]:
    """PutRecords, retrying only the entries that failed; returns the indexes that never got in."""
    kinesis = client("kinesis")
    stream = get_settings().runs_stream
    failed: set[int] = set()
    for chunk in _chunks(items):
        pending = chunk
        for attempt in range(PUT_RETRIES + 1):
            if attempt:
                time.sleep(PUT_BACKOFF_SECONDS * 2 ** (attempt - 1))
            try:
                response = kinesis.put_records(
                    StreamName=stream,
                    Records=[{"Data": i.data, "PartitionKey": i.partition_key} for i in pending],
                )
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ProvisionedThroughputExceededException":
                    raise
                continue  # the whole call was throttled: every pending entry is retried
            pending = [i for i, r in zip(pending, response["Records"], strict=True) if r.get("ErrorCode")]
            if not pending:
                break
        failed.update(i.index for i in pending)
    return failed

"""Runs: what agents ingest, what the stream carries, and what the runs browser answers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from agentgate.data.pages import CURSOR_MAX_LENGTH
from agentgate.schemas.common import Money, PageQuery, RequestModel, ResponseModel

# Limits of ingestion (API.md names the first two; the third is ours, documented in the OpenAPI).
MAX_RUNS_PER_BATCH = 500
MAX_REQUEST_BYTES = 5 * 1024 * 1024
MAX_EVENTS_PER_RUN = 1_000
# A Kinesis record holds at most 1 MiB; the envelope around a run takes a few hundred bytes.
MAX_RUN_BYTES = 1_000_000
MAX_TOKENS = 10**10

Identifier = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@/-]*$")
RunStatus = Literal["running", "success", "error", "timeout", "cancelled"]
# Statuses that count as an error in error rates.
ERROR_STATUSES = frozenset({"error", "timeout"})


class TokenUsage(RequestModel):
    """Disjoint counts: ``input`` excludes the cache-read and cache-write tokens."""

    input: int = Field(default=0, ge=0, le=MAX_TOKENS)
    output: int = Field(default=0, ge=0, le=MAX_TOKENS)
    cache_read: int = Field(default=0, ge=0, le=MAX_TOKENS)
    cache_write: int = Field(default=0, ge=0, le=MAX_TOKENS)
    cache_write_1h: int = Field(default=0, ge=0, le=MAX_TOKENS, description="1-hour cache writes (Anthropic)")


class RunEventIn(RequestModel):
    event_id: str = Identifier
    type: str = Field(min_length=1, max_length=64)
    timestamp: AwareDatetime
    payload: Any = None


class PolicyDecision(RequestModel):
    action: str = Field(min_length=1, max_length=256)
    decision: Literal["allow", "deny", "pending"]
    approval_id: str | None = Field(default=None, max_length=128)


class RunIn(RequestModel):
    run_id: str = Identifier
    agent_id: str | None = Field(default=None, min_length=1, max_length=128)
    status: RunStatus
    start_time: AwareDatetime
    end_time: AwareDatetime | None = None
    input: Any = None
    output: Any = None
    model: str | None = Field(default=None, max_length=128)
    provider: str | None = Field(default=None, max_length=64)
    token_usage: TokenUsage = Field(default_factory=TokenUsage)
    batch: bool = Field(default=False, description="sent through the provider's batch API: batch rates apply")
    events: list[RunEventIn] = Field(default_factory=list, max_length=MAX_EVENTS_PER_RUN)
    external_reference: str | None = Field(default=None, max_length=256)
    authorization_id: str | None = Field(default=None, min_length=1, max_length=64)  # settles a reservation
    team: str | None = Field(default=None, min_length=1, max_length=128)
    policy_decisions: list[PolicyDecision] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _consistent(self) -> RunIn:
        if self.end_time is not None and self.end_time < self.start_time:
            raise ValueError("end_time is before start_time")
        ids = [event.event_id for event in self.events]
        if len(ids) != len(set(ids)):
            raise ValueError("events: event_id values must be unique within a run")
        return self


class IngestBatch(RequestModel):
    """Each run is validated on its own so that one bad run does not refuse the others."""

    runs: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_RUNS_PER_BATCH)


class ModelCall(BaseModel):
    """One model call of a run (an OpenTelemetry LLM span): priced on its own, then summed."""

    span_id: str
    model: str | None = None
    provider: str | None = None
    at: AwareDatetime
    token_usage: TokenUsage
    batch: bool = False


class RunEnvelope(BaseModel):
    """What the runs stream carries: the run and who sent it (set by ingestion, never by the client).

    Runs from OpenTelemetry (``source="otlp"``) carry their model calls and span ids: a trace's
    spans arriving in several exports are fragments of one run, merged by span id.
    """

    tenant_id: str
    tier: str = "free"
    agent_id: str
    team: str | None = None
    received_at: AwareDatetime
    run: RunIn
    source: Literal["api", "otlp"] = "api"
    calls: list[ModelCall] = Field(default_factory=list)
    span_ids: list[str] = Field(default_factory=list)


class IngestAccepted(ResponseModel):
    run_id: str
    status: Literal["accepted"] = "accepted"


class BatchRunResult(ResponseModel):
    run_id: str | None
    status: int
    error: dict[str, Any] | None = None


class IngestBatchResult(ResponseModel):
    results: list[BatchRunResult]
    accepted: int
    rejected: int


class TokenUsageOut(ResponseModel):
    """Disjoint counts: fresh input, output, cache reads, 5-minute and 1-hour cache writes."""

    input: int
    output: int
    cache_read: int
    cache_write: int
    cache_write_1h: int = 0


class Run(ResponseModel):
    id: str
    run_id: str
    agent_id: str
    team: str | None
    status: str
    start_time: datetime
    end_time: datetime | None
    latency_ms: int | None
    model: str | None
    provider: str | None
    token_usage: TokenUsageOut
    cost_usd: Money | None
    unpriced: bool
    price_version: str | None
    cost_breakdown: dict[str, Money] | None = Field(
        default=None,
        description="cost per token bucket: input, output, cache_read, cache_write, cache_write_1h",
    )
    input: Any = None
    output: Any = None
    external_reference: str | None
    policy_decisions: list[dict[str, Any]]
    event_count: int
    received_at: datetime


class RunPage(ResponseModel):
    items: list[Run]
    next_cursor: str | None = None


class RunQuery(PageQuery):
    agent_id: str | None = Field(default=None, max_length=128)
    status: RunStatus | None = None
    team: str | None = Field(default=None, max_length=128)
    from_: AwareDatetime | None = Field(default=None, alias="from")
    to: AwareDatetime | None = None
    min_cost: Decimal | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _range(self) -> RunQuery:
        if self.from_ and self.to and self.to < self.from_:
            raise ValueError("to is before from")
        return self


class RunEvent(ResponseModel):
    event_id: str
    seq: int
    type: str
    timestamp: datetime
    payload: Any = None


class RunEventPage(ResponseModel):
    run_id: str
    items: list[RunEvent]
    next_cursor: str | None = None


class ExportQuery(RequestModel):
    from_: AwareDatetime | None = Field(default=None, alias="from")
    to: AwareDatetime | None = None
    agent_id: str | None = Field(default=None, max_length=128)
    limit: int = Field(default=10_000, ge=1, le=50_000)
    cursor: str | None = Field(default=None, max_length=CURSOR_MAX_LENGTH)

"""Storing runs from the stream: costing a run, its item, and what it adds to the counters.

A run is one item: its events embedded (``services.run_events``), its cold attributes
compressed (``RunItem.PACKED``), so that it is put in one write unit. The day counters of the
org, the agent and the team, and the spend of every budget covering the run, are what
``contribution`` returns; ``services.runs_batch`` puts the runs and adds a whole batch's
contributions in one transaction, exactly once.

A record that can never be stored (undecodable, invalid, refused by DynamoDB as
malformed) goes to the dead-letter queue with its reason and payload; a transient failure
(throttling, a transaction conflict) propagates so the batch reports it and the event
source retries it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from bisect import bisect_left
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from agentgate.data.tenant import system_data
from agentgate.models import (
    LATENCY_BUCKETS_MS,
    BudgetItem,
    CostDayItem,
    PriceOverrideItem,
    RunItem,
    latency_bucket_attribute,
)
from agentgate.platform.aws import client
from agentgate.platform.observability import logger
from agentgate.platform.settings import get_settings
from agentgate.pricing import Call, Costing, ModelPrice, TokenCounts, price_calls, price_table
from agentgate.schemas.runs import ERROR_STATUSES, RunEnvelope
from agentgate.services import budgets, run_events
from agentgate.tiers import tier_limits

# A DynamoDB item holds 400 KB: inputs and outputs larger than this are replaced by a marker.
MAX_STORED_IO_BYTES = 300_000
# Day counters outlive the runs they summarize (cost reports look back a year).
COUNTER_RETENTION_DAYS = 400
# DynamoDB error codes that no retry will cure: the record is dead-lettered.
PERMANENT_ERRORS = frozenset({"ValidationException", "ItemCollectionSizeLimitExceededException"})
_TIME = "%Y-%m-%dT%H:%M:%S.%f+0000"  # pynamodb's UTCDateTimeAttribute format


class PoisonRecord(Exception):
    """A record that cannot be processed, whatever the retries."""


def latency_bucket(latency_ms: int) -> int:
    return bisect_left(LATENCY_BUCKETS_MS, latency_ms)


class RunRecorder:
    """Stores the runs of one consumer batch; caches each tenant's budgets and price overrides per batch."""

    def __init__(self) -> None:
        self._budgets: dict[str, list[BudgetItem]] = {}
        self._overrides: dict[str, tuple[ModelPrice, ...]] = {}
        self.table = get_settings().table_name

    def cost(self, envelope: RunEnvelope) -> Costing:
        """The run's cost; a run from OpenTelemetry is priced call by call (each its own model and tier)."""
        run = envelope.run
        overrides = self.overrides(envelope.tenant_id)
        if envelope.calls:
            calls = [
                Call(c.model, c.provider, c.at, TokenCounts(**c.token_usage.model_dump()), c.batch)
                for c in envelope.calls
            ]
            return price_calls(price_table(), calls, overrides)
        tokens = TokenCounts(**run.token_usage.model_dump())
        return price_table().price_run(
            run.model, run.provider, run.start_time, tokens, overrides=overrides, batch=run.batch
        )

    # --- per-tenant lookups, once per batch -----------------------------------------------------------

    def budgets(self, tenant_id: str) -> list[BudgetItem]:
        if tenant_id not in self._budgets:
            self._budgets[tenant_id] = budgets.tenant_budgets(tenant_id)
        return self._budgets[tenant_id]

    def overrides(self, tenant_id: str) -> tuple[ModelPrice, ...]:
        if tenant_id not in self._overrides:
            found = system_data(tenant_id).query(PriceOverrideItem, sk_prefix="PRICE#")
            self._overrides[tenant_id] = tuple(
                ModelPrice(
                    provider=o.provider,
                    model_pattern=o.model_pattern.lower(),
                    effective_from=datetime.fromisoformat(o.effective_from).date(),
                    input=o.input_per_million,
                    output=o.output_per_million,
                    cache_read=o.cache_read_per_million,
                    cache_write=o.cache_write_per_million,
                    version=f"tenant:{o.label}",
                )
                for o in found
            )
        return self._overrides[tenant_id]

    # --- the items ------------------------------------------------------------------------------------

    def _run_item(self, envelope: RunEnvelope, costing: Costing) -> RunItem:
        run = envelope.run
        cost = costing.cost_usd
        start = run.start_time.astimezone(UTC)
        latency = None
        if run.end_time is not None:
            latency = int((run.end_time - run.start_time) / timedelta(milliseconds=1))
        retention = timedelta(days=tier_limits(envelope.tier).retention_days)
        order_key = f"{start.strftime(_TIME)}#{run.run_id}"
        now = datetime.now(UTC)
        return system_data(envelope.tenant_id).new(
            RunItem,
            RunItem.sk_for(run.run_id),
            run_id=run.run_id,
            agent_id=envelope.agent_id,
            team=envelope.team,
            status=run.status,
            start_time=start,
            end_time=run.end_time,
            latency_ms=latency,
            model=run.model,
            provider=run.provider,
            input_tokens=run.token_usage.input,
            output_tokens=run.token_usage.output,
            cache_read_tokens=run.token_usage.cache_read,
            cache_write_tokens=run.token_usage.cache_write,
            cache_write_1h_tokens=run.token_usage.cache_write_1h,
            cost_usd=cost,
            unpriced=costing.unpriced,
            price_version=costing.price_version,
            cost_breakdown={k: format(v, "f") for k, v in costing.breakdown.items()}
            if costing.breakdown
            else None,
            span_ids=set(envelope.span_ids) or None,
            merge_version=1 if envelope.source == "otlp" else None,
            unpriced_calls=costing.unpriced_calls if envelope.source == "otlp" else None,
            input=_bounded(run.input),
            output=_bounded(run.output),
            external_reference=run.external_reference,
            policy_decisions=[d.model_dump() for d in run.policy_decisions],
            event_count=len(run.events),
            events=run_events.encode(run_events.timeline(run.events)),
            content_hash=content_hash(envelope),
            received_at=envelope.received_at,
            stored_at=now,
            expires_at=envelope.received_at + retention,
            gsi1pk=RunItem.tenant_runs_key(envelope.tenant_id),
            gsi1sk=order_key,
            gsi2pk=RunItem.agent_runs_key(envelope.tenant_id, envelope.agent_id),
            gsi2sk=order_key,
        )

    def contribution(self, item: RunItem) -> list[Addition]:
        """What a stored run adds to its day counters (org, agent, team) and to every covering budget."""
        tenant = item.tenant_id
        pk = system_data(tenant).pk
        start = item.start_time.astimezone(UTC)
        day = start.date().isoformat()
        cost = item.cost_usd or Decimal(0)
        counters: dict[str, Any] = {
            "cost_usd": cost,
            "runs": 1,
            "unpriced_runs": 1 if item.unpriced else 0,
            "errors": 1 if item.status in ERROR_STATUSES else 0,
            "input_tokens": int(item.input_tokens)
            + int(item.cache_read_tokens)
            + int(item.cache_write_tokens)
            + int(item.cache_write_1h_tokens),
            "output_tokens": int(item.output_tokens),
        }
        if item.latency_ms is not None:
            counters[latency_bucket_attribute(latency_bucket(int(item.latency_ms)))] = 1
        expires = int((datetime.now(UTC) + timedelta(days=COUNTER_RETENTION_DAYS)).timestamp())
        scopes = [("org", "-"), ("agent", item.agent_id)] + ([("team", item.team)] if item.team else [])
        additions: list[Addition] = []
        for scope, scope_id in scopes:
            sets: dict[str, Any] = {"scope": scope, "scope_id": scope_id, "day": day, "expires_at": expires}
            if scope != "org":
                sets["gsi1pk"] = CostDayItem.day_index_key(tenant, day, scope)
                sets["gsi1sk"] = scope_id
            additions.append((pk, CostDayItem.sk_for(scope, scope_id, day), counters, sets))
        # committed_usd (spend + reserved) is what /authorize reservations are checked against.
        spend = {"spend_usd": cost, "committed_usd": cost, "runs": 1}
        for budget in self.covering(tenant, item.agent_id, item.team):
            additions.append((pk, budgets.spend_sk(budget, start), spend, {}))
        return additions

    def covering(self, tenant_id: str, agent_id: str, team: str | None) -> list[BudgetItem]:
        return [b for b in self.budgets(tenant_id) if budgets.covers(b, agent_id, team)]


# One counter item's addition: its key, what to ADD, what to set when absent.
Addition = tuple[str, str, dict[str, Any], dict[str, Any]]


def _bounded(value: Any) -> Any:
    if value is None:
        return None
    size = len(json.dumps(value, default=str))
    if size > MAX_STORED_IO_BYTES:
        return {"truncated": True, "bytes": size}
    return value


def content_hash(envelope: RunEnvelope) -> str:
    return hashlib.sha256(envelope.run.model_dump_json().encode()).hexdigest()


def decode(data: str) -> RunEnvelope:
    """A stream record's base64 data -> the envelope, or PoisonRecord with the reason."""
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PoisonRecord(f"undecodable: not base64 ({exc})") from exc
    try:
        return RunEnvelope.model_validate_json(raw)
    except ValidationError as exc:
        fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
        raise PoisonRecord(f"invalid: {fields}") from exc


def dead_letter(stream: str, data: str, reason: str, *, partition_key: str, sequence_number: str) -> None:
    """Send the record to the dead-letter queue with its reason and original payload (never dropped)."""
    logger.warning("record dead-lettered", extra={"stream": stream, "reason": reason, "seq": sequence_number})
    client("sqs").send_message(
        QueueUrl=get_settings().runs_dead_letter_queue_url,
        MessageBody=json.dumps(
            {
                "stream": stream,
                "reason": reason,
                "partition_key": partition_key,
                "sequence_number": sequence_number,
                "data": data,
                "dead_lettered_at": datetime.now(UTC).isoformat(),
            }
        ),
    )

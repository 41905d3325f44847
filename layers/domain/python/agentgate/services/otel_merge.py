"""Merging a later fragment of an OpenTelemetry trace into its run, once per span.

A trace's spans often arrive in several exports (LLM spans first, the agent's root span last).
The first fragment is stored like any run; each later one is merged here: only the spans the
run has not seen are counted (the run keeps its span ids), their tokens and cost are added to
the run, its day counters and its budgets in one transaction conditioned on the run's merge
counter, so a redelivered or concurrent fragment can never count a span twice. Events of
the new spans join the run's embedded events, at positions after them, in the same update.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pynamodb.expressions.update import Action

from agentgate.data.tenant import TenantData
from agentgate.data.transactions import Transaction, TransactionRefused
from agentgate.models import BudgetSpendItem, CostDayItem, RunEventItem, RunItem
from agentgate.platform.errors import DependencyUnavailable
from agentgate.platform.observability import logger
from agentgate.pricing import BUCKETS, Costing
from agentgate.schemas.runs import ERROR_STATUSES, RunEnvelope, TokenUsage
from agentgate.services import budgets, run_events
from agentgate.services.runs import PERMANENT_ERRORS, PoisonRecord

if TYPE_CHECKING:
    from agentgate.models import BudgetItem
    from agentgate.services.runs import RunRecorder

MAX_MERGE_ATTEMPTS = 5
# The run keeps its span ids (16 characters each): 10,000 of them stay well inside an item's 400 KB.
MAX_SPANS_PER_RUN = 10_000
_TIME = "%Y-%m-%dT%H:%M:%S.%f+0000"


class MergeConflict(Exception):
    """Another merge of the same run kept winning: the record is retried by the event source."""


def merge_fragment(
    recorder: RunRecorder, envelope: RunEnvelope, item: RunItem, costing: Costing, covering: list[BudgetItem]
) -> str:
    data = TenantData.acting_for(envelope.tenant_id, "system:runs-consumer")

    def build(tx: Transaction) -> tuple[str, Costing | None]:
        stored = data.find(RunItem, item.sk, consistent=True)
        if stored is None:  # the run expired between its insert and this merge: the fragment stands alone
            raise MergeConflict(f"run {envelope.run.run_id} vanished during a merge")
        if stored.merge_version is None:  # a run sent through the runs API holds this id: it is kept
            logger.info(
                "trace run id taken by a non-OTLP run: first write kept", extra={"run_id": item.run_id}
            )
            return "duplicate", None
        new_spans = set(envelope.span_ids) - set(stored.span_ids or ())
        if not new_spans:
            return "duplicate", None
        if len(stored.span_ids or ()) + len(new_spans) > MAX_SPANS_PER_RUN:
            raise PoisonRecord(f"trace run {envelope.run.run_id} would exceed {MAX_SPANS_PER_RUN} spans")
        fragment = only_spans(envelope, new_spans)
        part = recorder.cost(fragment) if fragment.calls else Costing(None, None)
        events = stored_timeline(data, stored) + run_events.timeline(
            fragment.run.events, first_seq=int(stored.event_count or 0)
        )
        _merge_steps(tx, data, fragment, stored, part, covering, new_spans, run_events.encode(events))
        return "merged", part

    try:
        # The run's merge counter is the condition: when another merge moved it, read the run again.
        outcome, part = data.transact(build, attempts=MAX_MERGE_ATTEMPTS, retry_conditions=True)
    except TransactionRefused as exc:
        if exc.code in PERMANENT_ERRORS:
            raise PoisonRecord(f"refused by the table: {exc.code}: {exc}") from exc
        raise
    except DependencyUnavailable as exc:
        raise MergeConflict(
            f"run {envelope.run.run_id}: {MAX_MERGE_ATTEMPTS} merges lost to concurrent ones"
        ) from exc
    if part is not None and covering and part.cost_usd:
        budgets.check_thresholds(envelope.tenant_id, covering, envelope.run.start_time)
    return outcome


def stored_timeline(data: TenantData, stored: RunItem) -> list[dict[str, Any]]:
    """The run's events as stored: embedded, or (a run stored before events were embedded) its items."""
    if stored.events is not None or not stored.event_count:
        return run_events.decode(stored.events)
    return [
        {
            "seq": int(e.seq),
            "event_id": e.event_id,
            "type": e.type,
            "timestamp": e.timestamp,
            "payload": e.payload,
        }
        for e in data.query(RunEventItem, sk_prefix=RunEventItem.prefix_for(stored.run_id))
    ]


def only_spans(envelope: RunEnvelope, spans: set[str]) -> RunEnvelope:
    """The fragment reduced to the given spans: their calls, events and token usage."""
    calls = [c for c in envelope.calls if c.span_id in spans]
    events = [e for e in envelope.run.events if e.event_id.split(":", 1)[0] in spans]
    usage = TokenUsage(
        **{b: sum(getattr(c.token_usage, b) for c in calls) for b in TokenUsage.model_fields}  # type: ignore[arg-type]
    )
    run = envelope.run.model_copy(update={"events": events, "token_usage": usage})
    return envelope.model_copy(update={"run": run, "calls": calls, "span_ids": sorted(spans)})


def _merge_steps(
    tx: Transaction,
    data: TenantData,
    fragment: RunEnvelope,
    stored: RunItem,
    part: Costing,
    covering: list[BudgetItem],
    new_spans: set[str],
    events: bytes | None,
) -> None:
    """The run's update (on the condition that no other merge moved it) and its counters' additions."""
    run = fragment.run
    start = min(stored.start_time, run.start_time.astimezone(UTC))
    end = max((t for t in (stored.end_time, run.end_time) if t is not None), default=None)
    was_error = stored.status in ERROR_STATUSES
    status = stored.status if was_error or run.status == "running" else run.status
    # Unpriced while any call is unpriced, or while no call has been priced at all: never a zero.
    unpriced_calls = int(stored.unpriced_calls or 0) + part.unpriced_calls
    unpriced = unpriced_calls > 0 or (stored.cost_usd is None and part.cost_usd is None)
    cost = part.cost_usd or Decimal(0)
    breakdown = {b: Decimal((stored.cost_breakdown or {}).get(b, "0")) for b in BUCKETS}
    for bucket, amount in (part.breakdown or {}).items():
        breakdown[bucket] += amount
    versions = [v for v in (stored.price_version or "").split(" ") if v]
    versions += [v for v in (part.price_version or "").split(" ") if v and v not in versions]
    order_key = f"{start.strftime(_TIME)}#{run.run_id}"
    usage = run.token_usage
    actions: list[Action] = [
        RunItem.status.set(status),
        RunItem.start_time.set(start),
        RunItem.gsi1sk.set(order_key),
        RunItem.gsi2sk.set(order_key),
        RunItem.unpriced.set(unpriced),
        RunItem.cost_breakdown.set({k: format(v, "f") for k, v in breakdown.items()}),
        RunItem.input_tokens.add(usage.input),
        RunItem.output_tokens.add(usage.output),
        RunItem.cache_read_tokens.add(usage.cache_read),
        RunItem.cache_write_tokens.add(usage.cache_write),
        RunItem.cache_write_1h_tokens.add(usage.cache_write_1h),
        RunItem.event_count.add(len(run.events)),
        RunItem.merge_version.add(1),
        RunItem.span_ids.add(set(new_spans)),
        RunItem.unpriced_calls.add(part.unpriced_calls),
    ]
    if events is not None:
        actions.append(RunItem.events.set(events))
    if end is not None:
        actions += [
            RunItem.end_time.set(end),
            RunItem.latency_ms.set(int((end - start) / timedelta(milliseconds=1))),
        ]
    if versions:
        actions.append(RunItem.price_version.set(" ".join(versions)))
    for name in ("model", "provider"):
        if getattr(stored, name) is None and getattr(run, name) is not None:
            actions.append(getattr(RunItem, name).set(getattr(run, name)))
    if part.cost_usd is not None:
        actions.append(RunItem.cost_usd.add(cost))
    seen = int(stored.merge_version or 1)
    tx.update(data.ref(RunItem, stored.sk), actions, RunItem.merge_version == seen, name="run")
    day = stored.start_time.astimezone(UTC).date().isoformat()  # the day the run was first counted on
    scopes = [("org", "-"), ("agent", stored.agent_id)] + ([("team", stored.team)] if stored.team else [])
    for scope, scope_id in scopes:
        tx.update(
            data.ref(CostDayItem, CostDayItem.sk_for(scope, scope_id, day)),
            [
                CostDayItem.cost_usd.add(cost),
                CostDayItem.unpriced_runs.add(int(unpriced) - int(bool(stored.unpriced))),
                CostDayItem.errors.add(1 if status in ERROR_STATUSES and not was_error else 0),
                CostDayItem.input_tokens.add(
                    usage.input + usage.cache_read + usage.cache_write + usage.cache_write_1h
                ),
                CostDayItem.output_tokens.add(usage.output),
            ],
            name=f"counter:{scope}",
        )
    if cost:
        for budget in covering:
            tx.update(
                data.ref(BudgetSpendItem, budgets.spend_sk(budget, stored.start_time)),
                [BudgetSpendItem.spend_usd.add(cost)],
                name=f"spend:{budget.budget_id}",
            )

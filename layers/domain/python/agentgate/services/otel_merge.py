"""Merging a later fragment of an OpenTelemetry trace into its run, once per span.

A trace's spans often arrive in several exports (LLM spans first, the agent's root span last).
The first fragment is stored like any run; each later one is merged here: only the spans the
run has not seen are counted (the run keeps its span ids), their tokens and cost are added to
the run, its day counters and its budgets in one transaction conditioned on the run's merge
counter, so a redelivered or concurrent fragment can never count a span twice. Events of
the new spans are written first, at positions after the run's events, so a crash between the
two loses nothing (a redelivery rewrites them at the same positions).
"""

from __future__ import annotations

from datetime import UTC, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from agentgate.data.tenant import TenantData
from agentgate.models import CostDayItem, RunItem, tenant_pk
from agentgate.platform.aws import client
from agentgate.platform.observability import logger
from agentgate.pricing import BUCKETS, Costing
from agentgate.schemas.runs import ERROR_STATUSES, RunEnvelope, TokenUsage
from agentgate.services import budgets
from agentgate.services.runs import PERMANENT_ERRORS, PoisonRecord, counter_update

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
    for _ in range(MAX_MERGE_ATTEMPTS):
        stored = data.find(RunItem, item.sk, consistent=True)
        if stored is None:  # the run expired between its insert and this merge: the fragment stands alone
            raise MergeConflict(f"run {envelope.run.run_id} vanished during a merge")
        if stored.merge_version is None:  # a run sent through the runs API holds this id: it is kept
            logger.info(
                "trace run id taken by a non-OTLP run: first write kept", extra={"run_id": item.run_id}
            )
            return "duplicate"
        new_spans = set(envelope.span_ids) - set(stored.span_ids or ())
        if not new_spans:
            return "duplicate"
        if len(stored.span_ids or ()) + len(new_spans) > MAX_SPANS_PER_RUN:
            raise PoisonRecord(f"trace run {envelope.run.run_id} would exceed {MAX_SPANS_PER_RUN} spans")
        fragment = only_spans(envelope, new_spans)
        part = recorder.cost(fragment) if fragment.calls else Costing(None, None)
        recorder._write_events(fragment, stored, first_seq=int(stored.event_count or 0))
        try:
            client("dynamodb").transact_write_items(
                TransactItems=_transaction(recorder.table, fragment, stored, part, covering, new_spans)
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code == "TransactionCanceledException":
                continue  # the run changed since it was read: read it again
            if code in PERMANENT_ERRORS:
                raise PoisonRecord(f"refused by the table: {code}: {exc}") from exc
            raise
        if covering and part.cost_usd:
            budgets.check_thresholds(envelope.tenant_id, covering, envelope.run.start_time)
        return "merged"
    raise MergeConflict(f"run {envelope.run.run_id}: {MAX_MERGE_ATTEMPTS} merges lost to concurrent ones")


def only_spans(envelope: RunEnvelope, spans: set[str]) -> RunEnvelope:
    """The fragment reduced to the given spans: their calls, events and token usage."""
    calls = [c for c in envelope.calls if c.span_id in spans]
    events = [e for e in envelope.run.events if e.event_id.split(":", 1)[0] in spans]
    usage = TokenUsage(
        **{b: sum(getattr(c.token_usage, b) for c in calls) for b in TokenUsage.model_fields}  # type: ignore[arg-type]
    )
    run = envelope.run.model_copy(update={"events": events, "token_usage": usage})
    return envelope.model_copy(update={"run": run, "calls": calls, "span_ids": sorted(spans)})


def _transaction(
    table: str,
    fragment: RunEnvelope,
    stored: RunItem,
    part: Costing,
    covering: list[BudgetItem],
    new_spans: set[str],
) -> list[dict[str, Any]]:
    run, tenant = fragment.run, fragment.tenant_id
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
    sets: dict[str, Any] = {
        "#status": {"S": status},
        "#start_time": {"S": RunItem.start_time.serialize(start)},
        "#gsi1sk": {"S": order_key},
        "#gsi2sk": {"S": order_key},
        "#unpriced": {"BOOL": unpriced},
        "#cost_breakdown": {
            "S": RunItem.cost_breakdown.serialize({k: format(v, "f") for k, v in breakdown.items()})
        },
    }
    if end is not None:
        sets["#end_time"] = {"S": RunItem.end_time.serialize(end)}
        sets["#latency_ms"] = {"N": str(int((end - start) / timedelta(milliseconds=1)))}
    if versions:
        sets["#price_version"] = {"S": " ".join(versions)}
    for name in ("model", "provider"):
        if getattr(stored, name) is None and getattr(run, name) is not None:
            sets[f"#{name}"] = {"S": getattr(run, name)}
    usage = run.token_usage
    adds: dict[str, Any] = {
        "#input_tokens": {"N": str(usage.input)},
        "#output_tokens": {"N": str(usage.output)},
        "#cache_read_tokens": {"N": str(usage.cache_read)},
        "#cache_write_tokens": {"N": str(usage.cache_write)},
        "#cache_write_1h_tokens": {"N": str(usage.cache_write_1h)},
        "#event_count": {"N": str(len(run.events))},
        "#merge_version": {"N": "1"},
        "#span_ids": {"SS": sorted(new_spans)},
        "#unpriced_calls": {"N": str(part.unpriced_calls)},
    }
    if part.cost_usd is not None:
        adds["#cost_usd"] = {"N": format(cost, "f")}
    names = {key: key[1:] for key in (*sets, *adds)}
    values = {f":{key[1:]}": value for key, value in (*sets.items(), *adds.items())}
    values[":seen"] = {"N": str(int(stored.merge_version or 1))}
    names["#seen"] = "merge_version"
    run_update = {
        "Update": {
            "TableName": table,
            "Key": {"pk": {"S": stored.pk}, "sk": {"S": stored.sk}},
            "UpdateExpression": "SET "
            + ", ".join(f"{k} = :{k[1:]}" for k in sets)
            + " ADD "
            + ", ".join(f"{k} :{k[1:]}" for k in adds),
            "ConditionExpression": "#seen = :seen",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
    }
    counters: dict[str, Any] = {
        "cost_usd": cost,
        "unpriced_runs": int(unpriced) - int(bool(stored.unpriced)),
        "errors": 1 if status in ERROR_STATUSES and not was_error else 0,
        "input_tokens": usage.input + usage.cache_read + usage.cache_write + usage.cache_write_1h,
        "output_tokens": usage.output,
    }
    day = stored.start_time.astimezone(UTC).date().isoformat()  # the day the run was first counted on
    scopes = [("org", "-"), ("agent", stored.agent_id)] + ([("team", stored.team)] if stored.team else [])
    actions = [run_update]
    actions += [
        counter_update(table, tenant_pk(tenant), CostDayItem.sk_for(scope, scope_id, day), counters, {})
        for scope, scope_id in scopes
    ]
    if cost:
        spend = {"spend_usd": cost}
        actions += [
            counter_update(table, tenant_pk(tenant), budgets.spend_sk(b, stored.start_time), spend, {})
            for b in covering
        ]
    return actions

"""Runs ingestion figures (issues 4 and 10): consumer throughput, DynamoDB writes, and a cost model.

1,000 runs of a stated size (``RUN_SHAPE``) are ingested through the real ``ingest_batch``
handler (100 per request) and consumed by the real ``runs_consumer`` (batches of 100), all
against in-process moto; ``SINGLE_RUNS`` more go through ``ingest_run`` one request each. Every
AWS call is counted with a botocore hook on every client; the DynamoDB write and read units are
computed from the counted requests' items and sizes. The cost of one million runs, sent one per
request and 100 per request, follows from those counts and the list prices in ``PRICES``.

moto deep-copies the whole table for each item of a TransactWriteItems (its rollback
snapshot), which makes it quadratic; the consumer runs with the tests' linear snapshot (same
semantics) so that the rate measures our code rather than the emulator's copy.

    python -m tests.load.bench_runs     # these figures alone; ``make bench`` runs them with the rest
"""

from __future__ import annotations

import json
import math
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.load.client_hooks import hook_new_clients

# AWS list prices, us-east-1 (USD), as of 2026: the one table the cost model uses (printed with it).
LAMBDA_PER_GB_SECOND = 0.0000166667  # x86
LAMBDA_PER_MILLION_REQUESTS = 0.20
API_GATEWAY_REST_PER_MILLION_REQUESTS = 3.50  # REST API, first 333 million a month
KINESIS_PER_MILLION_PUT_PAYLOAD_UNITS = 0.014  # provisioned mode; one unit = a record's 25 KB chunk
KINESIS_SHARD_HOUR = 0.015  # provisioned shard, whatever the volume
DYNAMODB_PER_MILLION_WRITE_UNITS = 0.625  # on-demand
DYNAMODB_PER_MILLION_READ_UNITS = 0.125  # on-demand
DYNAMODB_PER_GB_MONTH = 0.25
PRICES = [
    ("API Gateway REST, per million requests", API_GATEWAY_REST_PER_MILLION_REQUESTS),
    ("Lambda, per million requests", LAMBDA_PER_MILLION_REQUESTS),
    ("Lambda, per GB-second (x86)", LAMBDA_PER_GB_SECOND),
    ("Kinesis, per million PUT payload units (25 KB)", KINESIS_PER_MILLION_PUT_PAYLOAD_UNITS),
    ("Kinesis, per shard-hour (provisioned)", KINESIS_SHARD_HOUR),
    ("DynamoDB on-demand, per million write units", DYNAMODB_PER_MILLION_WRITE_UNITS),
    ("DynamoDB on-demand, per million read units", DYNAMODB_PER_MILLION_READ_UNITS),
    ("DynamoDB storage, per GB-month", DYNAMODB_PER_GB_MONTH),
]
# Shard-hours amortized over the runs one shard carries at this sustained rate (a shard takes 1,000
# records a second; a tenth of that leaves room for bursts and the analytics stream's own shard).
KINESIS_AMORTIZED_RUNS_PER_SECOND = 100
KINESIS_SHARDS_AMORTIZED = 2  # the runs stream and the analytics stream, one shard each at this rate
BATCHED_COST_TARGET_USD = 1.50  # per million runs sent 100 per request, all in (issue 10)
WRITE_UNITS_PER_RUN_TARGET = 1.2
# The functions' memory (CDK sets these) and the batch shapes of the event source mapping.
INGEST_MEMORY_MB = 256
CONSUMER_MEMORY_MB = 512
RUNS_PER_REQUEST = 100
RUNS_PER_CONSUMER_BATCH = 100
RUNS = 1_000
SINGLE_RUNS = 200  # sent one per request to ``ingest_run``, for the single-run cost
MILLION = 1_000_000
# The stated size of a run: 2 events, small input/output, all token kinds.
RUN_SHAPE = "2 events, ~150 B input and output, gpt-4o, ~0.9 KB of JSON"
KINESIS_UNIT_BYTES = 25 * 1024


@dataclass
class Counts:
    calls: Counter[str] = field(default_factory=Counter)
    write_units: float = 0.0
    read_units: float = 0.0
    written_items: int = 0
    kinesis_units: int = 0


_counts = Counts()


def _value_size(value: dict[str, Any]) -> int:
    """An attribute value's size as DynamoDB bills it (developer guide, "Item sizes and formats")."""
    ((kind, raw),) = value.items()
    if kind == "S":
        return len(raw.encode())
    if kind == "B":
        return len(raw)
    if kind == "N":  # about one byte per two significant digits, plus one
        return len(raw.lstrip("-").replace(".", "").strip("0")) // 2 + 2
    if kind in {"BOOL", "NULL"}:
        return 1
    if kind == "SS":
        return sum(len(s.encode()) for s in raw)
    if kind == "NS":
        return sum(len(n) // 2 + 2 for n in raw)
    if kind == "BS":
        return sum(len(b) for b in raw)
    if kind == "M":
        return 3 + sum(len(k.encode()) + _value_size(v) + 1 for k, v in raw.items())
    return 3 + sum(_value_size(v) + 1 for v in raw)  # L


def _size(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB bills it: attribute names plus values."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def _count(params: dict[str, Any], model: Any, **_: Any) -> None:
    service, op = model.service_model.service_name, model.name
    _counts.calls[f"{service}.{op}"] += 1
    if service == "kinesis" and op in {"PutRecords", "PutRecord"}:
        records = params.get("Records") or [params]
        _counts.kinesis_units += sum(math.ceil(len(r["Data"]) / KINESIS_UNIT_BYTES) or 1 for r in records)
    if service != "dynamodb":
        return
    if op == "TransactWriteItems":
        for entry in params["TransactItems"]:
            body = next(iter(entry.values()))
            # A transactional write costs 2 units per KB; an update is sized by the item it writes.
            _counts.write_units += 2 * _units(_size(body.get("Item") or body.get("Key") or {}) + 200)
            _counts.written_items += 1
    elif op == "BatchWriteItem":
        for requests in params["RequestItems"].values():
            for request in requests:
                _counts.write_units += _units(_size(request.get("PutRequest", {}).get("Item", {})))
                _counts.written_items += 1
    elif op == "PutItem":  # 1 unit per KB of the item written (a conditional put too)
        _counts.write_units += _units(_size(params["Item"]))
        _counts.written_items += 1
    elif op in {"UpdateItem", "DeleteItem"}:
        _counts.write_units += 1
        _counts.written_items += 1
    elif op in {"GetItem", "Query", "BatchGetItem", "Scan"}:
        _counts.read_units += 1 if params.get("ConsistentRead") else 0.5


def _snapshot() -> Counts:
    return Counts(
        calls=Counter(_counts.calls),
        write_units=_counts.write_units,
        read_units=_counts.read_units,
        written_items=_counts.written_items,
        kinesis_units=_counts.kinesis_units,
    )


def _runs(now: datetime, prefix: str = "bench") -> list[dict[str, Any]]:
    from tests.integration.test_runs_helpers import run_body

    bodies = []
    for n in range(RUNS):
        start = now - timedelta(seconds=n)
        bodies.append(
            run_body(
                f"{prefix}-{n:05d}",
                start_time=start.isoformat(),
                end_time=(start + timedelta(milliseconds=800)).isoformat(),
                input={"prompt": "Summarise the quarterly report for the finance team " * 3},
                output={"text": "The quarter closed with revenue up 12% and costs flat " * 3},
                token_usage={"input": 1200, "output": 300, "cache_read": 4000, "cache_write": 0},
                events=[
                    {
                        "event_id": f"e{k}",
                        "type": "llm_call",
                        "timestamp": start.isoformat(),
                        "payload": {"k": k},
                    }
                    for k in range(2)
                ],
            )
        )
    return bodies


def measure() -> dict[str, Any]:
    for name, value in {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                        "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
                        "POWERTOOLS_LOG_LEVEL": "ERROR"}.items():  # fmt: skip
        os.environ[name] = value
    os.environ.pop("AWS_ENDPOINT_URL", None)
    from moto import mock_aws

    from agentgate.platform.aws import reset_clients
    from agentgate.platform.settings import reset_settings
    from infra.local.resources import provision
    from tests.integration.test_runs_helpers import (
        Stream,
        agent,
        linear_moto_transactions,
        make_agent,
        table_items,
        user,
    )
    from tests.support.api import call

    with hook_new_clients("provide-client-params.*.*", _count), mock_aws():
        os.environ.update(provision().env)
        reset_settings()
        reset_clients()
        make_agent("bench", "a1", team="red")
        budget = {"scope": "org", "max_amount_usd": "1000000", "period": "monthly"}
        call("POST", "/api/v1/budgets", body=budget, ctx=user("bench"))
        bodies = _runs(datetime.now(UTC))
        run_bytes = sum(len(json.dumps(b)) for b in bodies) / RUNS
        ctx = agent("bench", "a1", team="red")
        _counts.__init__()  # type: ignore[misc]
        started = time.perf_counter()
        for start in range(0, RUNS, RUNS_PER_REQUEST):
            chunk = bodies[start : start + RUNS_PER_REQUEST]
            reply = call("POST", "/api/v1/ingest/batch", body={"runs": chunk}, ctx=ctx)
            assert reply.json["accepted"] == RUNS_PER_REQUEST
        ingest_seconds = time.perf_counter() - started
        ingest = _snapshot()
        stream = Stream(batch_size=RUNS_PER_CONSUMER_BATCH)
        stream.read()
        _counts.__init__()  # type: ignore[misc]
        with linear_moto_transactions():
            started = time.perf_counter()
            delivery = stream.deliver()
            consume_seconds = time.perf_counter() - started
        consume = _snapshot()
        stored_bytes = sum(_size(i) for i in table_items())  # everything the runs left stored
        singles = _runs(datetime.now(UTC) - timedelta(hours=1), prefix="single")[:SINGLE_RUNS]
        _counts.__init__()  # type: ignore[misc]
        started = time.perf_counter()
        for body in singles:
            reply = call("POST", "/api/v1/ingest/run", body=body, ctx=ctx)
            assert reply.status == 202, reply.text
        single_seconds = time.perf_counter() - started
        single = _snapshot()
        reset_settings()
        reset_clients()
    return {
        "run_bytes": run_bytes,
        "ingest_seconds": ingest_seconds,
        "consume_seconds": consume_seconds,
        "invocations": delivery.invocations,
        "ingest": ingest,
        "consume": consume,
        "stored_bytes": stored_bytes,
        "single_seconds": single_seconds,
        "single": single,
    }


def cost_of_a_million(m: dict[str, Any], runs_per_request: int) -> list[tuple[str, float]]:
    """USD per million runs sent ``runs_per_request`` at a time (1: ``ingest_run``; else ``ingest_batch``)."""
    scale = MILLION / RUNS
    consumer_invocations = MILLION / RUNS_PER_CONSUMER_BATCH
    consume = m["consume"]
    if runs_per_request == 1:
        ingest, ingest_requests = m["single"], MILLION
        ingest_ms = m["single_seconds"] * 1000 / SINGLE_RUNS
        ingest_scale = MILLION / SINGLE_RUNS
    else:
        ingest, ingest_requests = m["ingest"], MILLION / runs_per_request
        ingest_ms = m["ingest_seconds"] * 1000 / (RUNS / runs_per_request)
        ingest_scale = scale
    consume_ms = m["consume_seconds"] * 1000 / m["invocations"]
    gb_seconds = (
        ingest_requests * ingest_ms / 1000 * INGEST_MEMORY_MB / 1024
        + consumer_invocations * consume_ms / 1000 * CONSUMER_MEMORY_MB / 1024
    )
    shard_hours = KINESIS_SHARDS_AMORTIZED * MILLION / (KINESIS_AMORTIZED_RUNS_PER_SECOND * 3600)
    return [
        ("API Gateway REST requests", ingest_requests / MILLION * API_GATEWAY_REST_PER_MILLION_REQUESTS),
        ("Lambda requests", (ingest_requests + consumer_invocations) / MILLION * LAMBDA_PER_MILLION_REQUESTS),
        ("Lambda duration", gb_seconds * LAMBDA_PER_GB_SECOND),
        ("Kinesis PUT payload units", ingest.kinesis_units * ingest_scale / MILLION
         * KINESIS_PER_MILLION_PUT_PAYLOAD_UNITS),
        ("Kinesis shard-hours, amortized", shard_hours * KINESIS_SHARD_HOUR),
        ("DynamoDB writes", (ingest.write_units * ingest_scale + consume.write_units * scale) / MILLION
         * DYNAMODB_PER_MILLION_WRITE_UNITS),
        ("DynamoDB reads", (ingest.read_units * ingest_scale + consume.read_units * scale) / MILLION
         * DYNAMODB_PER_MILLION_READ_UNITS),
        ("DynamoDB storage, one month", m["stored_bytes"] * scale / 1024**3 * DYNAMODB_PER_GB_MONTH),
    ]  # fmt: skip


def run(options: Any = None) -> Any:
    from tests.load.bench import Figure

    m = measure()
    consume = m["consume"]
    rate = RUNS / m["consume_seconds"]
    dynamo_calls = {k: v for k, v in consume.calls.items() if k.startswith("dynamodb.")}
    rows = [
        ("runs consumed per second (runs_consumer, moto in-process)", f"{rate:.0f}", f"{RUNS} runs"),
        ("runs ingested per second (ingest_batch, 100 per request)", f"{RUNS / m['ingest_seconds']:.0f}", ""),
        ("DynamoDB items written per 1,000 runs (consumer)", str(consume.written_items), ""),
        ("DynamoDB write units per 1,000 runs", f"{consume.write_units:.0f}", "put 1/KB, transactional 2/KB"),
        ("DynamoDB write requests per 1,000 runs",
         str(sum(v for k, v in dynamo_calls.items() if "Write" in k or "Put" in k or "Update" in k)),
         ", ".join(f"{k.split('.')[1]} x{v}" for k, v in sorted(dynamo_calls.items()))),
        ("Kinesis PUT payload units per 1,000 runs", str(m["ingest"].kinesis_units), ""),
    ]  # fmt: skip
    single, batched = cost_of_a_million(m, 1), cost_of_a_million(m, RUNS_PER_REQUEST)
    for (name, one), (_, hundred) in zip(single, batched, strict=True):
        rows.append((f"cost of 1M runs: {name}", f"{one:.3f} / {hundred:.3f} USD", "single / batched (100)"))
    single_total, batched_total = sum(u for _, u in single), sum(u for _, u in batched)
    rows.append(
        ("cost of 1M runs, single-run ingestion: total", f"{single_total:.2f} USD", f"run: {RUN_SHAPE}")
    )
    rows.append(
        (
            "cost of 1M runs, batched (100) ingestion: total",
            f"{batched_total:.2f} USD",
            f"target <= {BATCHED_COST_TARGET_USD:.2f} USD: "
            + ("met" if batched_total <= BATCHED_COST_TARGET_USD else "MISSED"),
        )
    )
    rows.append(
        ("DynamoDB write units per run (consumer)", f"{consume.write_units / RUNS:.2f}", "target <= 1.2")
    )
    for label, price in PRICES:
        rows.append((f"list price: {label}", f"{price:.10f}".rstrip("0").rstrip(".") + " USD", "us-east-1"))
    notes = [
        f"Run size measured: {m['run_bytes']:.0f} bytes of JSON. Lambda: ingest {INGEST_MEMORY_MB} MB per",
        f"request, consumer {CONSUMER_MEMORY_MB} MB per 100-run batch, durations as measured here against",
        "moto (an upper bound: moto in-process on a shared 2-core machine). Kinesis shard-hours are",
        f"amortized over {KINESIS_AMORTIZED_RUNS_PER_SECOND} runs a second per shard, for "
        f"{KINESIS_SHARDS_AMORTIZED} shards (runs and analytics streams).",
        "Write units: items sized as DynamoDB bills them (names + values); a put costs 1 per KB, a",
        "transactional write 2 per KB; GSI writes are not counted (nor in the target).",
    ]
    within = (
        batched_total <= BATCHED_COST_TARGET_USD and consume.write_units / RUNS <= WRITE_UNITS_PER_RUN_TARGET
    )
    return Figure(
        title="Runs ingestion (issues 4, 10): throughput, DynamoDB writes, AWS cost of one million runs",
        columns=("figure", "value", "detail"),
        rows=rows,
        notes=notes,
        within_target=within,
    )


if __name__ == "__main__":
    print(run().render())

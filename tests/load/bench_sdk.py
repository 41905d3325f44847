"""SDK ingestion figures (issue 15): the caller's cost of ``record()``, runs/s recorded, runs/s delivered.

A real ``AgentGate`` client records runs of a stated shape (``RUN_SHAPE``) against a loopback server
that plays the ingestion API (tests/sdk/fake_api.py: per-run 207 results, dedup by run_id):

* per-call overhead of ``runs.record()`` on the caller's thread (median and p99 of single calls),
  target under 50 us, and the network calls made on callers' threads (target: none);
* runs/s recorded from 8 threads (what the agent's code sees) beside the runs/s the background
  sender delivered and the server accepted (end to end, until ``flush()`` returns).

With ``AGENTGATE_BENCH_URL``, ``AGENTGATE_BENCH_CLIENT_ID`` and ``AGENTGATE_BENCH_CLIENT_SECRET``
set (e.g. the banner of ``make dev``), the delivery rate is also measured against that server.

    python -m tests.load.bench_sdk     # these figures alone; ``make bench`` runs them with the rest
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from typing import Any

from agentgate_client import AgentGate
from tests.load.bench import BenchOptions, Figure
from tests.sdk.fake_api import FakeApi

RECORD_TARGET_US = 50.0
SINGLE_CALLS = 20_000
THREADS = 8
RUNS_PER_THREAD = 2_500
LIVE_PER_THREAD = 125  # 1,000 runs against a live server: the local stack's moto takes its time
RUN_SHAPE = "model + provider, token usage, 1 event, ~60 B output: ~420 B of JSON"


def _record(client: AgentGate, index: int) -> None:
    client.runs.record(
        model="claude-sonnet-4-5",
        provider="anthropic",
        token_usage={"input": 1200, "output": 300, "cache_read": 64},
        output={"answer": "forty-two", "index": index},
        events=[
            {
                "event_id": "e1",
                "type": "llm.call",
                "timestamp": "2026-11-23T10:00:00Z",
                "payload": {"ms": 812},
            }
        ],
    )


def _watch_network_threads(client: AgentGate) -> list[str]:
    """Every HTTP request the client makes notes the thread it ran on."""
    threads: list[str] = []
    original = client.transport.http.request

    def noted(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        return original(*args, **kwargs)

    client.transport.http.request = noted  # type: ignore[method-assign]
    return threads


def _single_call_overhead(api_url: str) -> tuple[float, float, int]:
    client = AgentGate(api_url, "bench", "secret", flush_interval=0.05, max_queue_size=SINGLE_CALLS + 1)
    client.access_token()  # the first token fetch is not a record() cost
    network_threads = _watch_network_threads(client)
    samples = []
    for index in range(SINGLE_CALLS):
        started = time.perf_counter_ns()
        _record(client, index)
        samples.append((time.perf_counter_ns() - started) / 1000)
    client.flush(timeout=60)
    client.close()
    samples.sort()
    on_callers = sum(1 for name in network_threads if name != "agentgate-ingestion")
    return statistics.median(samples), samples[int(len(samples) * 0.99)], on_callers


def _throughput(
    api_url: str, client_id: str = "bench", secret: str = "secret", per_thread: int = RUNS_PER_THREAD
) -> tuple[float, float, int]:
    """(runs/s recorded by 8 threads, runs/s delivered until flush returned, runs accepted)."""
    total = THREADS * per_thread
    client = AgentGate(api_url, client_id, secret, flush_interval=0.05, max_queue_size=total + 1)
    client.access_token()
    barrier = threading.Barrier(THREADS + 1)

    def produce() -> None:
        barrier.wait()
        for index in range(per_thread):
            _record(client, index)

    producers = [threading.Thread(target=produce) for _ in range(THREADS)]
    for thread in producers:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in producers:
        thread.join()
    recorded = time.perf_counter() - started
    client.flush(timeout=300)
    delivered = time.perf_counter() - started
    accepted = client.runs.stats().accepted
    client.close()
    return total / recorded, accepted / delivered, accepted


def run(options: BenchOptions) -> Figure:
    api = FakeApi()
    try:
        median_us, p99_us, on_callers = _single_call_overhead(api.url)
        recorded_rate, delivered_rate, accepted = _throughput(api.url)
    finally:
        api.close()
    rows = [
        ("record() on the caller's thread, median", f"{median_us:.1f} us", f"< {RECORD_TARGET_US:.0f} us"),
        ("record() on the caller's thread, p99", f"{p99_us:.1f} us", ""),
        ("network calls on callers' threads", str(on_callers), "0"),
        (f"runs/s recorded ({THREADS} threads)", f"{recorded_rate:,.0f}", ""),
        ("runs/s delivered to a loopback API (background sender)", f"{delivered_rate:,.0f}", ""),
    ]
    notes = [
        f"Run shape: {RUN_SHAPE}; {SINGLE_CALLS:,} single calls timed; {THREADS} x {RUNS_PER_THREAD:,} runs "
        f"for the rates ({accepted:,} accepted).",
        "The delivered rate is end to end against a loopback server in Python (one process, answering at "
        "once), so it bounds the sender from below; a real server's ingestion rate is set by the server.",
    ]
    live = os.environ.get("AGENTGATE_BENCH_URL")
    if live:
        _, live_rate, live_accepted = _throughput(
            live,
            os.environ["AGENTGATE_BENCH_CLIENT_ID"],
            os.environ["AGENTGATE_BENCH_CLIENT_SECRET"],
            LIVE_PER_THREAD,
        )
        rows.append((f"runs/s accepted by {live} (ingest/batch)", f"{live_rate:,.0f}", ""))
        sent = THREADS * LIVE_PER_THREAD
        notes.append(f"{live_accepted:,} of {sent:,} runs accepted by {live} before flush() returned.")
    within = median_us < RECORD_TARGET_US and on_callers == 0
    notes.insert(
        0,
        f"Target: record() under {RECORD_TARGET_US:.0f} us and never a network call on the caller's thread: "
        + ("met." if within else "MISSED."),
    )
    return Figure(
        "SDK ingestion: the caller's cost and the sender's rate",
        ("figure", "value", "target"),
        rows,
        notes,
        within,
    )


if __name__ == "__main__":
    print(run(BenchOptions()).render())

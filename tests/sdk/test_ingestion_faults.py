"""10,000 runs from 8 threads while the API throttles, is unavailable and lets one request time out:
every run is stored exactly once, the SDK reports none lost, and its queue stays bounded; while the
API stalls, memory stays bounded by the queue's size."""

from __future__ import annotations

import threading
import time

from agentgate_client import AgentGate, RetryPolicy
from tests.sdk.fake_api import FakeApi, Faults

THREADS = 8
RUNS_PER_THREAD = 1_250
QUEUE_BOUND = 10_000


def test_ten_thousand_runs_under_faults_are_stored_exactly_once():
    api = FakeApi(
        Faults(
            throttle_ratio=0.15,
            unavailable_ratio=0.15,
            transient_run_ratio=0.02,
            hang_requests={3},  # stored by the server, answered after the client's timeout
            hang_seconds=2.0,
        )
    )
    client = AgentGate(
        api.url, "client", "secret", timeout=1.0, flush_interval=0.05, max_queue_size=QUEUE_BOUND,
        retry=RetryPolicy(max_retries=2, base_delay=0.02, max_delay=0.2),
    )  # fmt: skip
    client.worker.backoff = RetryPolicy(max_retries=0, base_delay=0.02, max_delay=0.2)
    recorded: list[list[str]] = [[] for _ in range(THREADS)]
    peak_pending = 0
    producing = True

    def produce(index: int) -> None:
        for i in range(RUNS_PER_THREAD):
            recorded[index].append(
                client.runs.record(model="gpt-4o", token_usage={"input": i, "output": 1}, team=f"t{index}")
            )

    def watch() -> None:
        nonlocal peak_pending
        while producing:
            peak_pending = max(peak_pending, client.runs.stats().pending)
            time.sleep(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    producers = [threading.Thread(target=produce, args=(n,)) for n in range(THREADS)]
    for thread in producers:
        thread.start()
    for thread in producers:
        thread.join()
    delivered = client.flush(timeout=40)
    producing = False
    watcher.join()
    stats = client.runs.stats()
    client.close()
    api.close()

    all_ids = [run_id for ids in recorded for run_id in ids]
    assert delivered and len(set(all_ids)) == THREADS * RUNS_PER_THREAD
    assert set(api.stored) == set(all_ids)  # every run stored, once (the server keeps a run_id once)
    assert sum(api.arrivals.values()) > len(all_ids)  # the timed-out request was resent: dedup mattered
    assert (stats.accepted, stats.dropped_invalid, stats.dropped_overflow, stats.pending) == (
        len(all_ids),
        0,
        0,
        0,
    )
    assert stats.failed_requests > 0 and stats.requeued > 0
    assert peak_pending <= QUEUE_BOUND + 500  # the queue's bound plus one batch in flight


def test_memory_stays_bounded_while_the_api_stalls():
    import tracemalloc

    api = FakeApi()
    release = threading.Event()
    api.routes[("POST", "/api/v1/ingest/batch")] = lambda fake, req: (
        release.wait(30),
        fake._batch(req["body"]),
    )[1]
    client = AgentGate(api.url, "client", "secret", flush_interval=0.0, max_queue_size=1_000)
    client.runs.record()
    time.sleep(0.2)  # the first request is stuck: nothing leaves the queue from here on
    payload = {"text": "x" * 400}

    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(20_000):
        client.runs.record(output=payload)
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()

    stats = client.runs.stats()
    assert (stats.pending, stats.dropped_overflow) == (1_001, 19_000)
    assert grown < 2 * 1024 * 1024  # ~1,000 queued runs of ~500 B; with no bound the 20,000 take ~16 MB
    release.set()
    assert client.flush(timeout=30) and client.runs.stats().accepted == 1_001
    client.close()
    api.close()

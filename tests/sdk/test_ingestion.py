"""Runs recorded by the SDK reach the API in the background: batched, retried, never lost silently."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from agentgate_client import AgentGate, IngestionClosed
from tests.sdk.fake_api import FakeApi, Faults
from tests.sdk.loops import run_coroutine

REPO_ROOT = Path(__file__).resolve().parents[2]


def _client(api: FakeApi, **options) -> AgentGate:
    return AgentGate(api.url, "client", "secret", **options)


def test_runs_are_sent_in_batches_of_at_most_500(api: FakeApi):
    client = _client(api, flush_interval=60)
    ids = [client.runs.record(model="gpt-4o", token_usage={"input": 10, "output": 2}) for _ in range(1_200)]

    assert client.flush(timeout=20)

    assert set(api.stored) == set(ids)
    assert max(api.batch_sizes) == 500 and sum(api.batch_sizes) == 1_200
    assert client.runs.stats().accepted == 1_200
    client.close()


def test_a_batch_never_exceeds_5_mb(api: FakeApi):
    client = _client(api, flush_interval=60)
    blob = "x" * 100_000
    for _ in range(120):  # 12 MB of runs
        client.runs.record(input=blob)

    assert client.flush(timeout=30)

    assert len(api.stored) == 120 and max(api.batch_bytes) <= 5 * 1024 * 1024
    client.close()


def test_the_flush_interval_sends_a_partial_batch_without_a_flush(api: FakeApi):
    client = _client(api, flush_interval=0.2)
    run_id = client.runs.record()

    deadline = time.monotonic() + 5
    while run_id not in api.stored and time.monotonic() < deadline:
        time.sleep(0.05)

    assert run_id in api.stored
    client.close()


def test_record_returns_before_any_network_call(api: FakeApi):
    release = threading.Event()

    def slow_batch(fake, request):
        release.wait(10)
        return fake._batch(request["body"])

    api.routes[("POST", "/api/v1/ingest/batch")] = slow_batch
    client = _client(api, flush_interval=0.0)
    client.runs.record()
    time.sleep(0.2)  # the worker is now stuck in the slow request

    started = time.perf_counter()
    for _ in range(100):
        client.runs.record()
    elapsed = time.perf_counter() - started

    assert elapsed < 0.5 and client.runs.stats().pending == 101
    release.set()
    assert client.flush(timeout=10) and len(api.stored) == 101
    client.close()


def test_a_207_requeues_only_transiently_refused_runs_and_drops_invalid_ones(api: FakeApi, caplog):
    api.faults = Faults(transient_run_ratio=0.3, invalid_run_ids={"run-bad-1", "run-bad-2"})
    client = _client(api, flush_interval=60)
    good = [client.runs.record() for _ in range(300)]
    client.runs.record(run_id="run-bad-1")
    client.runs.record(run_id="run-bad-2")

    assert client.flush(timeout=30)

    stats = client.runs.stats()
    assert set(api.stored) == set(good)
    assert all(api.arrivals[run_id] == 1 for run_id in good)  # accepted runs were never resent
    assert (stats.accepted, stats.dropped_invalid, stats.pending) == (300, 2, 0)
    assert stats.requeued > 0
    assert "run-bad-1 refused as invalid" in caplog.text and "validation_error" in caplog.text
    client.close()


def test_a_batch_refused_as_too_large_is_split_until_it_fits(api: FakeApi):
    api.faults = Faults(too_large_over=60)
    client = _client(api, flush_interval=60)
    ids = [client.runs.record() for _ in range(250)]

    assert client.flush(timeout=30)

    assert set(api.stored) == set(ids) and max(api.batch_sizes) <= 60
    client.close()


def test_a_full_queue_drops_the_newest_run_and_counts_it(api: FakeApi):
    release = threading.Event()
    api.routes[("POST", "/api/v1/ingest/batch")] = lambda fake, req: (
        release.wait(10),
        fake._batch(req["body"]),
    )[1]
    client = _client(api, max_queue_size=50, flush_interval=0.0)
    client.runs.record()
    time.sleep(0.2)  # one run in flight, the queue empty and bounded at 50

    kept = [client.runs.record() for _ in range(80)]

    stats = client.runs.stats()
    assert (stats.dropped_overflow, stats.pending) == (30, 51)
    release.set()
    assert client.flush(timeout=10)
    assert set(kept[:50]) <= set(api.stored) and not set(kept[50:]) & set(api.stored)
    client.close()


def test_drop_oldest_evicts_the_oldest_waiting_run(api: FakeApi):
    release = threading.Event()
    api.routes[("POST", "/api/v1/ingest/batch")] = lambda fake, req: (
        release.wait(10),
        fake._batch(req["body"]),
    )[1]
    client = _client(api, max_queue_size=10, overflow="drop_oldest", flush_interval=0.0)
    client.runs.record()
    time.sleep(0.2)

    ids = [client.runs.record() for _ in range(15)]

    assert client.runs.stats().dropped_overflow == 5
    release.set()
    assert client.flush(timeout=10)
    assert set(ids[5:]) <= set(api.stored) and not set(ids[:5]) & set(api.stored)
    client.close()


def test_close_flushes_and_a_run_after_close_is_refused_loudly(api: FakeApi):
    client = _client(api, flush_interval=60)
    ids = [client.runs.record() for _ in range(10)]

    assert client.close()

    assert set(api.stored) == set(ids)
    with pytest.raises(IngestionClosed):
        client.runs.record()


def test_close_reports_runs_it_could_not_deliver(api: FakeApi, caplog):
    api.faults = Faults(unavailable_ratio=1.0)
    client = _client(api, flush_interval=60)
    client.runs.record()
    client.runs.record()

    assert client.close(timeout=0.5) is False

    assert client.runs.stats().unsent_at_close == 2
    assert "2 run(s) undelivered" in caplog.text


def test_the_context_manager_times_the_run_and_collects_events_and_usage(api: FakeApi):
    client = _client(api, flush_interval=60)
    with client.run(model="claude-sonnet-4-5", provider="anthropic", team="search") as run:
        run.event("llm.call", {"prompt_chars": 120})
        run.usage(input=1200, output=300)
        run.usage(input=100, cache_read=50)
        time.sleep(0.05)
        run.output = {"answer": 42}
    assert client.flush(timeout=10)

    stored = api.stored[run.run_id]
    assert stored["status"] == "success" and stored["team"] == "search"
    assert stored["token_usage"] == {"input": 1300, "output": 300, "cache_read": 50, "cache_write": 0}
    assert [e["type"] for e in stored["events"]] == ["llm.call"]
    assert stored["end_time"] > stored["start_time"] and stored["output"] == {"answer": 42}
    client.close()


def test_an_exception_in_the_block_records_an_error_run_and_propagates(api: FakeApi):
    client = _client(api, flush_interval=60)
    with pytest.raises(KeyError), client.run() as run:
        raise KeyError("missing")
    assert client.flush(timeout=10)

    stored = api.stored[run.run_id]
    assert stored["status"] == "error"
    assert stored["events"][-1]["type"] == "error" and stored["events"][-1]["payload"]["type"] == "KeyError"
    client.close()


def test_track_records_each_call_of_a_sync_and_an_async_function(api: FakeApi):

    client = _client(api, flush_interval=60)

    @client.track(capture_output=True, run=True)
    def answer(question, run):
        run.usage(input=len(question))
        return {"answer": 42}

    @client.track
    async def fetch():
        return "ok"

    assert answer("why?") == {"answer": 42}
    assert run_coroutine(fetch()) == "ok"
    assert client.flush(timeout=10)

    runs = list(api.stored.values())
    assert len(runs) == 2
    by_function = {r["input"]["function"].rsplit(".", 1)[-1]: r for r in runs}
    assert (
        by_function["answer"]["output"] == {"answer": 42}
        and by_function["answer"]["token_usage"]["input"] == 4
    )
    assert by_function["fetch"]["status"] == "success"
    client.close()


def test_runs_are_flushed_at_interpreter_exit(api: FakeApi):
    script = textwrap.dedent(
        f"""
        from agentgate_client import AgentGate
        client = AgentGate({api.url!r}, "client", "secret", flush_interval=600)
        for i in range(25):
            client.runs.record(run_id=f"exit-run-{{i}}")
        """
    )
    subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, check=True, timeout=60)

    assert set(api.stored) == {f"exit-run-{i}" for i in range(25)}


def test_a_recorded_run_matches_the_contracts_run_schema(api: FakeApi):
    from agentgate_client.models import RunIn

    contract = json.loads((REPO_ROOT / "docs/openapi.json").read_text())["components"]["schemas"]["RunIn"]
    client = _client(api, flush_interval=60)
    with client.run(model="gpt-4o", external_reference="ticket-1") as run:
        run.event("tool.call", {"tool": "search"})
    assert client.flush(timeout=10)

    stored = api.stored[run.run_id]
    assert set(stored) <= set(contract["properties"])  # the API refuses unknown fields
    RunIn.model_validate(stored)
    client.close()


def test_record_refuses_an_unknown_status_or_usage_kind_on_the_callers_thread(api: FakeApi):
    client = _client(api, flush_interval=60)

    with pytest.raises(ValueError, match="status must be one of"):
        client.runs.record(status="done")
    with pytest.raises(ValueError, match="token_usage has no 'prompt'"):
        client.runs.record(token_usage={"prompt": 3})

    assert client.runs.stats().recorded == 0
    client.close()


def test_a_timeout_inside_the_block_records_a_timeout_run(api: FakeApi):
    client = _client(api, flush_interval=60)
    with pytest.raises(TimeoutError), client.run() as run:
        raise TimeoutError("model call took too long")
    assert client.flush(timeout=10)

    assert api.stored[run.run_id]["status"] == "timeout"
    client.close()

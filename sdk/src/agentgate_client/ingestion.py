"""The background sender of runs: the caller only ever appends to a bounded in-memory queue.

One daemon thread takes batches from the queue (at most 500 runs and 5 MB of JSON per request,
the API's limits) whenever a batch is full, the flush interval has passed, or ``flush()`` /
``close()`` asks, and posts them to ``POST /api/v1/ingest/batch``. What happens to each run:

* 202 in the 207 reply: delivered (counted in ``accepted``).
* 429 / 5xx in the 207 reply, or the whole request throttled, unavailable, timed out or
  unreachable: put back at the head of the queue and sent again after a jittered exponential
  backoff (``Retry-After`` when the server sends one). Resending is safe: the run keeps its
  client-chosen ``run_id`` and the server stores a ``run_id`` once.
* any other 4xx in the 207 reply (the run itself is invalid): dropped, logged with the API's
  error and counted in ``dropped_invalid``; retrying could never succeed.
* the whole request refused as too large or invalid: the batch is split in halves until the one
  bad run is alone, which is then dropped as invalid.

Memory is bounded: at most ``max_queue_size`` runs and ``max_queue_bytes`` of JSON wait in the
queue (plus the one batch in flight). Overflow policy: ``"drop_newest"`` (default) refuses the run
being recorded, ``"drop_oldest"`` evicts the oldest waiting run to make room; either way the run
is logged and counted in ``dropped_overflow``, never silently lost. ``close()`` (also run at
interpreter exit) flushes for up to ``shutdown_timeout`` seconds and logs and counts in
``unsent_at_close`` whatever it could not deliver.
"""

from __future__ import annotations

import atexit
import json
import logging
import threading
import time
import weakref
from collections import deque
from dataclasses import dataclass, fields
from typing import Any, Literal

from agentgate_client.errors import AgentGateError
from agentgate_client.transport import RetryPolicy, SyncTransport, parse_retry_after

log = logging.getLogger("agentgate_client.ingestion")

BATCH_PATH = "/api/v1/ingest/batch"
MAX_BATCH_RUNS = 500
MAX_BATCH_BYTES = 5 * 1024 * 1024 - 1024  # the API's 5 MB, less the envelope's few bytes
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
OverflowPolicy = Literal["drop_newest", "drop_oldest"]
_NO_RETRIES = RetryPolicy(max_retries=0)


@dataclass
class IngestionStats:
    """Counters since the client started. ``pending`` = waiting in the queue + in flight."""

    recorded: int = 0
    accepted: int = 0
    dropped_invalid: int = 0
    dropped_overflow: int = 0
    requeued: int = 0
    requests: int = 0
    failed_requests: int = 0
    unsent_at_close: int = 0
    pending: int = 0

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class QueuedRun:
    run_id: str
    body: bytes  # the run's JSON, serialized on record() so later changes by the caller cannot leak in


class IngestionClosed(AgentGateError):
    """A run was recorded after ``close()``: nothing would send it."""


class IngestionWorker:
    """A bounded queue of runs and the one thread that delivers them (see the module docstring)."""

    def __init__(
        self,
        transport: SyncTransport,
        *,
        max_batch_runs: int = MAX_BATCH_RUNS,
        max_batch_bytes: int = MAX_BATCH_BYTES,
        flush_interval: float = 1.0,
        max_queue_size: int = 10_000,
        max_queue_bytes: int = 64 * 1024 * 1024,
        overflow: OverflowPolicy = "drop_newest",
        backoff: RetryPolicy | None = None,
        shutdown_timeout: float = 10.0,
    ) -> None:
        if overflow not in ("drop_newest", "drop_oldest"):
            raise ValueError("overflow must be 'drop_newest' or 'drop_oldest'")
        self._transport = transport
        self.max_batch_runs = max(1, min(max_batch_runs, MAX_BATCH_RUNS))
        self.max_batch_bytes = max(1, min(max_batch_bytes, MAX_BATCH_BYTES))
        self.flush_interval = flush_interval
        self.max_queue_size = max_queue_size
        self.max_queue_bytes = max_queue_bytes
        self.overflow = overflow
        self.backoff = backoff or RetryPolicy(max_retries=0, base_delay=0.2, max_delay=30.0)
        self.shutdown_timeout = shutdown_timeout
        self._queue: deque[QueuedRun] = deque()
        self._queued_bytes = 0
        self._in_flight = 0
        self._cond = threading.Condition()
        self._flush_waiters = 0
        self._closing = False
        self._closed = False
        self._thread: threading.Thread | None = None
        self._failures = 0  # consecutive failed sends, for the backoff
        self._split_to: int | None = None  # a refused batch is retried in halves
        self._stats = IngestionStats()
        self._last_send = time.monotonic()
        _close_at_exit(self)

    # -- the caller's side: never a network call ------------------------------------------
    def enqueue(self, run: dict[str, Any]) -> bool:
        """Queue one run (a dict of the API's run fields); False when the overflow policy refused it."""
        body = json.dumps(run, default=str, separators=(",", ":")).encode()
        item = QueuedRun(str(run.get("run_id")), body)
        with self._cond:
            if self._closed or self._closing:
                raise IngestionClosed(f"run {item.run_id} recorded after close(); it was not sent")
            self._stats.recorded += 1
            if not self._make_room(len(body)):
                self._stats.dropped_overflow += 1
                self._log_overflow(item.run_id)
                return False
            self._queue.append(item)
            self._queued_bytes += len(body)
            if self._thread is None:
                self._start()
            if len(self._queue) == 1 or len(self._queue) >= self.max_batch_runs:
                self._cond.notify_all()  # the worker sleeps without a timeout while the queue is empty
        return True

    def _make_room(self, size: int) -> bool:
        def full() -> bool:
            return len(self._queue) >= self.max_queue_size or self._queued_bytes + size > self.max_queue_bytes

        if not full():
            return True
        if self.overflow == "drop_newest":
            return False
        while self._queue and full():
            evicted = self._queue.popleft()
            self._queued_bytes -= len(evicted.body)
            self._stats.dropped_overflow += 1
            self._log_overflow(evicted.run_id)
        return not full()

    def _log_overflow(self, run_id: str) -> None:
        count = self._stats.dropped_overflow
        if count == 1 or count % 1000 == 0:
            log.warning(
                "ingestion queue full (%d runs, %d bytes): dropped run %s (%s); %d dropped so far",
                len(self._queue),
                self._queued_bytes,
                run_id,
                self.overflow,
                count,
            )

    def stats(self) -> IngestionStats:
        with self._cond:
            snapshot = IngestionStats(**self._stats.as_dict())
            snapshot.pending = len(self._queue) + self._in_flight
            return snapshot

    def flush(self, timeout: float | None = None) -> bool:
        """Send everything queued now; True when the queue is empty and nothing is in flight."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            self._flush_waiters += 1
            self._cond.notify_all()
            try:
                while self._queue or self._in_flight:
                    if self._thread is None:
                        self._start()
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        return False
                    self._cond.wait(remaining)
                return True
            finally:
                self._flush_waiters -= 1

    def close(self, timeout: float | None = None) -> bool:
        """Flush (for up to ``timeout``, default ``shutdown_timeout``), then stop the thread.

        Runs still undelivered are logged and counted in ``unsent_at_close``; returns True when
        none were left.
        """
        with self._cond:
            if self._closed:
                return self._stats.unsent_at_close == 0
        limit = self.shutdown_timeout if timeout is None else timeout
        delivered = self.flush(limit)
        with self._cond:
            self._closing = True
            self._closed = True
            left = len(self._queue) + self._in_flight
            self._stats.unsent_at_close += left
            self._cond.notify_all()
            thread = self._thread
        if left:
            log.error("closing with %d run(s) undelivered after %.1fs; they are not stored", left, limit)
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=1.0)
        return delivered and not left

    # -- the worker thread --------------------------------------------------------------------
    def _start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="agentgate-ingestion", daemon=True)
        self._thread.start()

    def _due(self) -> bool:
        if not self._queue:
            return False
        if self._flush_waiters or self._closing or len(self._queue) >= self.max_batch_runs:
            return True
        return time.monotonic() - self._last_send >= self.flush_interval

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._closing and not self._due():
                    wait = self.flush_interval - (time.monotonic() - self._last_send)
                    self._cond.wait(max(wait, 0.01) if self._queue else None)
                if self._closing:
                    return
                batch = self._take_batch()
                self._in_flight = len(batch)
            delay = self._deliver(batch)
            with self._cond:
                self._in_flight = 0
                self._last_send = time.monotonic()
                self._cond.notify_all()
                if delay:
                    self._cond.wait_for(lambda: self._closing, timeout=delay)

    def _take_batch(self) -> list[QueuedRun]:
        limit = self._split_to or self.max_batch_runs
        self._split_to = None
        batch: list[QueuedRun] = []
        size = 0
        while self._queue and len(batch) < limit:
            head = self._queue[0]
            if batch and size + len(head.body) + 1 > self.max_batch_bytes:
                break
            batch.append(self._queue.popleft())
            size += len(head.body) + 1
            self._queued_bytes -= len(head.body)
        return batch

    def _requeue(self, runs: list[QueuedRun]) -> None:
        with self._cond:
            for run in reversed(runs):
                self._queue.appendleft(run)
                self._queued_bytes += len(run.body)
            self._stats.requeued += len(runs)

    def _backoff(self, retry_after: float | None = None) -> float:
        delay = self.backoff.delay(min(self._failures, 16), retry_after)
        self._failures += 1
        return delay

    def _deliver(self, batch: list[QueuedRun]) -> float:
        """Send one batch; returns how long to wait before the next (0 after a success)."""
        body = b'{"runs":[' + b",".join(r.body for r in batch) + b"]}"
        with self._cond:
            self._stats.requests += 1
        try:
            reply = self._transport.send(
                "POST",
                BATCH_PATH,
                content=body,
                headers={"Content-Type": "application/json"},
                idempotent=True,
                raise_for_status=False,
                retry=_NO_RETRIES,
            )
        except Exception as exc:  # noqa: BLE001 - whatever stops this request, the runs go back
            log.warning("ingestion request failed (%s); %d run(s) requeued", exc, len(batch))
            return self._failed(batch)
        status = reply.status_code
        if status in (200, 207):
            return self._apply_results(batch, reply)
        if status in (400, 413, 422) and len(batch) > 1:
            # One bad run spoils the request: halve until it is alone, keep the rest.
            self._split_to = max(1, len(batch) // 2)
            self._requeue(batch)
            return 0.0
        if status in (400, 413, 422):
            self._drop_invalid(batch[0], _error_of(reply))
            return 0.0
        log.warning("ingestion request answered %d; %d run(s) requeued", status, len(batch))
        return self._failed(batch, parse_retry_after(reply.headers.get("Retry-After")))

    def _failed(self, batch: list[QueuedRun], retry_after: float | None = None) -> float:
        self._requeue(batch)
        with self._cond:
            self._stats.failed_requests += 1
        return self._backoff(retry_after)

    def _apply_results(self, batch: list[QueuedRun], reply: Any) -> float:
        try:
            results = reply.json().get("results") or []
        except (ValueError, AttributeError):
            results = []
        retry: list[QueuedRun] = []
        accepted = 0
        for index, run in enumerate(batch):
            result = results[index] if index < len(results) and isinstance(results[index], dict) else None
            status = int(result.get("status", 0)) if result else 0
            if 200 <= status < 300:
                accepted += 1
            elif status in TRANSIENT_STATUSES or result is None:
                retry.append(run)
            else:
                self._drop_invalid(run, result.get("error") if result else None)
        with self._cond:
            self._stats.accepted += accepted
        if retry:
            self._requeue(retry)
            return self._backoff()
        self._failures = 0
        return 0.0

    def _drop_invalid(self, run: QueuedRun, error: Any) -> None:
        with self._cond:
            self._stats.dropped_invalid += 1
        log.error("run %s refused as invalid and dropped: %s", run.run_id, json.dumps(error, default=str))


def _error_of(reply: Any) -> Any:
    try:
        return reply.json().get("error")
    except (ValueError, AttributeError):
        return {"status": reply.status_code, "body": reply.text[:500]}


_workers: weakref.WeakSet[IngestionWorker] = weakref.WeakSet()


def _close_at_exit(worker: IngestionWorker) -> None:
    _workers.add(worker)


@atexit.register
def _close_all() -> None:
    """At interpreter exit every live worker flushes (bounded by its ``shutdown_timeout``)."""
    for worker in list(_workers):
        worker.close()

"""Recording runs: ``client.runs.record(...)``, ``with client.run(...) as run:`` and ``@client.track``.

All three build the API's run (``RunIn``) on the caller's thread, which costs microseconds, and
hand it to the ingestion worker's queue; nothing here touches the network.
"""

from __future__ import annotations

import functools
import inspect
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from types import TracebackType
from typing import Any, TypeVar

from agentgate_client.ingestion import IngestionStats, IngestionWorker

F = TypeVar("F", bound=Callable[..., Any])
RUN_STATUSES = ("running", "success", "error", "timeout", "cancelled")


def new_run_id() -> str:
    """A client-chosen run id: the server stores a run id once, so a resend is harmless."""
    return f"run_{uuid.uuid4().hex}"


def _rfc3339(moment: datetime | str | float | None) -> str:
    if moment is None:
        moment = datetime.now(timezone.utc)
    elif isinstance(moment, int | float):
        moment = datetime.fromtimestamp(moment, timezone.utc)
    if isinstance(moment, str):
        return moment
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _usage(token_usage: dict[str, int] | None) -> dict[str, int]:
    usage = {"input": 0, "output": 0, "cache_read": 0, "cache_write": 0}
    for key, value in (token_usage or {}).items():
        if key not in usage:
            raise ValueError(f"token_usage has no {key!r}; it takes input, output, cache_read, cache_write")
        usage[key] = int(value)
    return usage


class Runs:
    """``client.runs``: record runs (queued, sent in the background) and read the sender's counters."""

    def __init__(self, worker: IngestionWorker, agent_id: str | None = None) -> None:
        self._worker = worker
        self._agent_id = agent_id

    def record(
        self,
        *,
        run_id: str | None = None,
        status: str = "success",
        start_time: datetime | str | float | None = None,
        end_time: datetime | str | float | None = None,
        model: str | None = None,
        provider: str | None = None,
        token_usage: dict[str, int] | None = None,
        input: Any = None,
        output: Any = None,
        events: list[dict[str, Any]] | None = None,
        team: str | None = None,
        external_reference: str | None = None,
        agent_id: str | None = None,
    ) -> str:
        """Queue one run and return its ``run_id`` at once; the background worker sends it.

        ``run_id`` defaults to a new unique id; pass your own to make a resend of the same run
        harmless. Times take a ``datetime`` (naive means UTC), an RFC 3339 string or epoch
        seconds; ``start_time`` defaults to now. ``events`` are ``{"event_id", "type",
        "timestamp", "payload"}`` dicts. ``agent_id`` is needed only with an API key (an agent's
        own token names the agent). If the queue is full the run is dropped by the overflow
        policy, logged and counted (``client.runs.stats().dropped_overflow``).
        """
        if status not in RUN_STATUSES:
            raise ValueError(f"status must be one of {', '.join(RUN_STATUSES)}")
        run: dict[str, Any] = {
            "run_id": run_id or new_run_id(),
            "status": status,
            "start_time": _rfc3339(start_time),
            "token_usage": _usage(token_usage),
            "events": events or [],
        }
        optional = {
            "end_time": _rfc3339(end_time) if end_time is not None else None,
            "model": model,
            "provider": provider,
            "input": input,
            "output": output,
            "team": team,
            "external_reference": external_reference,
            "agent_id": agent_id or self._agent_id,
        }
        run.update({k: v for k, v in optional.items() if v is not None})
        self._worker.enqueue(run)
        return run["run_id"]

    def stats(self) -> IngestionStats:
        """Recorded, accepted, dropped (invalid / overflow), requeued and pending runs."""
        return self._worker.stats()

    def flush(self, timeout: float | None = None) -> bool:
        """Block until every queued run is delivered (or ``timeout``); True when none are left."""
        return self._worker.flush(timeout)


class RunContext:
    """One run being timed: add events and token usage, set the model or output; recorded on exit.

    An exception leaving the block marks the run ``error`` with an ``error`` event (type and
    message) and propagates unchanged.
    """

    def __init__(self, runs: Runs, run_id: str | None = None, **fields: Any) -> None:
        self._runs = runs
        self.run_id = run_id or new_run_id()
        self.status: str = fields.pop("status", "success")
        self.model: str | None = fields.pop("model", None)
        self.provider: str | None = fields.pop("provider", None)
        self.input: Any = fields.pop("input", None)
        self.output: Any = fields.pop("output", None)
        self.fields = fields  # team, external_reference, agent_id
        self.token_usage = {"input": 0, "output": 0, "cache_read": 0, "cache_write": 0}
        self.events: list[dict[str, Any]] = []
        self.start_time: datetime | None = None

    def event(self, type: str, payload: Any = None) -> None:
        """Append a timeline event (``type`` like ``llm.call`` or ``tool.call``) stamped now."""
        self.events.append(
            {
                "event_id": f"evt_{len(self.events) + 1:05d}",
                "type": type,
                "timestamp": _rfc3339(None),
                "payload": payload,
            }
        )

    def usage(self, input: int = 0, output: int = 0, cache_read: int = 0, cache_write: int = 0) -> None:
        """Add token usage (accumulates over several model calls)."""
        self.token_usage["input"] += int(input)
        self.token_usage["output"] += int(output)
        self.token_usage["cache_read"] += int(cache_read)
        self.token_usage["cache_write"] += int(cache_write)

    def __enter__(self) -> RunContext:
        self.start_time = datetime.now(timezone.utc)
        self._started = time.perf_counter()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc is not None:
            self.status = "timeout" if isinstance(exc, TimeoutError) else "error"
            self.event("error", {"type": type(exc).__name__, "message": str(exc)[:1000]})
        elif self.status == "running":
            self.status = "success"
        self._runs.record(
            run_id=self.run_id,
            status=self.status,
            start_time=self.start_time,
            end_time=datetime.now(timezone.utc),
            model=self.model,
            provider=self.provider,
            token_usage=self.token_usage,
            input=self.input,
            output=self.output,
            events=self.events,
            **self.fields,
        )

    async def __aenter__(self) -> RunContext:
        return self.__enter__()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.__exit__(exc_type, exc, tb)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return repr(value)[:1000]


def track(runs: Runs, func: F | None = None, *, capture_output: bool = False, **fields: Any) -> Any:
    """Decorate a function (sync or async) so each call is recorded as a run.

    The run's ``input`` names the function; with ``capture_output=True`` its return value
    (or its ``repr``) becomes the run's ``output``. With ``run=True`` the function receives
    the ``RunContext`` as its keyword argument ``run``, to add events or token usage to it.
    """
    pass_run = bool(fields.pop("run", False))

    def decorate(f: F) -> F:
        name = f"{f.__module__}.{f.__qualname__}"

        if inspect.iscoroutinefunction(f):

            @functools.wraps(f)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with RunContext(runs, input={"function": name}, **fields) as run:
                    result = await f(*args, **({**kwargs, "run": run} if pass_run else kwargs))
                    if capture_output:
                        run.output = _jsonable(result)
                    return result

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(f)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with RunContext(runs, input={"function": name}, **fields) as run:
                result = f(*args, **({**kwargs, "run": run} if pass_run else kwargs))
                if capture_output:
                    run.output = _jsonable(result)
                return result

        return wrapper  # type: ignore[return-value]

    return decorate(func) if func is not None else decorate

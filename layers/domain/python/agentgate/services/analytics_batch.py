"""Analytics records put in batches: one ``PutRecords`` per container at most every second.

Token issuance would otherwise make one Kinesis ``PutRecord`` per token, a fourth AWS call on the
hottest path. A record is held in the container and sent with the others when the previous send is
``MAX_AGE_SECONDS`` old or ``MAX_RECORDS`` are waiting, always inside an invocation (so it is never
frozen half-sent). A lone record after a quiet second goes out at once: the count is exact at low
rates, and at high rates each container sends about one request per second.

What can be lost, as with ``analytics.record`` (a lost analytics record is logged, never raised):
the records a container holds when it is shut down without another invocation, at most the last
second of its traffic. They are flushed on SIGTERM, which Lambda sends when an extension is
installed. Records rejected by Kinesis are retried once in the same send.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from agentgate.platform.aws import client
from agentgate.platform.observability import logger
from agentgate.platform.settings import get_settings

MAX_AGE_SECONDS = 1.0
MAX_RECORDS = 500  # PutRecords' own limit per request


class RecordBatch:
    def __init__(self, *, max_age_seconds: float = MAX_AGE_SECONDS, max_records: int = MAX_RECORDS) -> None:
        self.max_age_seconds = max_age_seconds
        self.max_records = max_records
        self._lock = threading.Lock()
        self._pending: list[dict[str, Any]] = []
        self._sent_at = float("-inf")  # a first record goes out at once

    @property
    def pending(self) -> int:
        return len(self._pending)

    def add(self, tenant_id: str, kind: str, **dims: Any) -> None:
        from agentgate.services.analytics import new_record

        record = new_record(tenant_id, kind, **dims)
        with self._lock:
            self._pending.append(record)
            due = (
                len(self._pending) >= self.max_records
                or time.monotonic() - self._sent_at >= self.max_age_seconds
            )
        if due:
            self.flush()

    def discard(self) -> None:
        """Drop what is held (tests: each moto backend is another deployment)."""
        with self._lock:
            self._pending = []
            self._sent_at = float("-inf")

    def flush(self) -> int:
        """Send what is held now; returns how many records were sent."""
        with self._lock:
            records, self._pending = self._pending, []
            self._sent_at = time.monotonic()
        if not records:
            return 0
        entries = [
            {"Data": json.dumps(r, default=str).encode(), "PartitionKey": r["tenant_id"]} for r in records
        ]
        try:
            for attempt in range(2):
                response = client("kinesis").put_records(
                    StreamName=get_settings().analytics_stream, Records=entries
                )
                if not response.get("FailedRecordCount"):
                    return len(records)
                entries = [e for e, r in zip(entries, response["Records"], strict=True) if "ErrorCode" in r]
                if attempt == 1:
                    logger.warning("analytics records lost", extra={"count": len(entries)})
            return len(records) - len(entries)
        except (ClientError, BotoCoreError) as exc:
            logger.warning(
                "analytics records lost", extra={"count": len(entries), "error": type(exc).__name__}
            )
            return 0


issued_tokens = RecordBatch()


def _flush_on_sigterm(signum: int, frame: Any) -> None:
    issued_tokens.flush()
    raise SystemExit(0)


# In Lambda only (elsewhere a process's signals are its owner's): the runtime gets SIGTERM before
# a shutdown when an extension is installed.
if os.environ.get("AWS_LAMBDA_FUNCTION_NAME") and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
    signal.signal(signal.SIGTERM, _flush_on_sigterm)

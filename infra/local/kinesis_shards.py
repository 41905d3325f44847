"""Keeps the cost of moto's Kinesis reads and writes from growing with everything a stream ever took.

moto keeps every record of a shard in one ordered dict, and finds the newest sequence number by
listing all its keys (on every put) and a reader's next records by walking it from the first record
(on every poll). On a local stack that has taken a few hundred thousand runs and analytics records,
each put and each poll of the stream pollers walks them all. A shard's sequence numbers are
consecutive integers (moto gives each record the newest plus one), so the newest is the last key,
the oldest the first, and a reader's next records are found by number from where it stopped. The
answers are moto's; only the walking is gone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _newest(self: Any) -> int:
    return next(reversed(self.records)) if self.records else 0


def _oldest(self: Any) -> int:
    return next(iter(self.records)) if self.records else 0


def _records_after(self: Any, last_sequence_id: str, limit: int | None) -> tuple[list[Any], int, int]:
    """moto's ``Shard.get_records``: the records after ``last_sequence_id``, at most ``limit`` (none or
    0: all), the last sequence number returned, and how far behind the newest record the last is."""
    last = int(last_sequence_id)
    if not self.records:
        return [], last, 0
    newest = _newest(self)
    results = []
    sequence = max(last + 1, _oldest(self))
    while sequence <= newest and not (limit and len(results) == limit):
        record = self.records.get(sequence)
        if record is not None:
            results.append(record)
            last = sequence
        sequence += 1
    behind = self.records[newest].created_at - results[-1].created_at if results else 0.0
    return results, last, int(behind * 1000)


def make_shard_reads_constant_time(setattr_: Callable[[Any, str, Any], None] = setattr) -> None:
    """Replaces the walking in moto's ``Shard`` (``setattr_`` may undo it)."""
    from moto.kinesis.models import Shard

    setattr_(Shard, "get_max_sequence_number", _newest)
    setattr_(Shard, "get_min_sequence_number", _oldest)
    setattr_(Shard, "get_records", _records_after)

"""A run's events, embedded in its item: zlib-compressed JSON, in timeline order.

One item per event cost a write unit each; embedded, a run and its timeline are one put and one
get. A timeline too large for an item keeps every event but drops the payloads that overflow.
"""

from __future__ import annotations

import json
import zlib
from datetime import datetime
from typing import Any

from agentgate.schemas.runs import RunEventIn

# What the events may take of the item's 400 KB once compressed (inputs and outputs take the rest).
MAX_EMBEDDED_EVENTS_BYTES = 60_000


def timeline(events: list[RunEventIn], first_seq: int = 0) -> list[dict[str, Any]]:
    """The events ordered by time (then position), numbered from ``first_seq``."""
    ordered = sorted(enumerate(events), key=lambda pair: (pair[1].timestamp, pair[0]))
    return [
        {
            "seq": first_seq + seq,
            "event_id": event.event_id,
            "type": event.type,
            "timestamp": event.timestamp.isoformat(),
            "payload": event.payload,
        }
        for seq, (_, event) in enumerate(ordered)
    ]


def encode(entries: list[dict[str, Any]]) -> bytes | None:
    if not entries:
        return None
    packed = _pack(entries)
    if len(packed) > MAX_EMBEDDED_EVENTS_BYTES:
        entries = [_without_payload(e) for e in entries]
        packed = _pack(entries)
    return packed


def decode(packed: bytes | None) -> list[dict[str, Any]]:
    if not packed:
        return []
    entries: list[dict[str, Any]] = json.loads(zlib.decompress(packed))
    for entry in entries:
        entry["timestamp"] = datetime.fromisoformat(entry["timestamp"])
    return entries


def _pack(entries: list[dict[str, Any]]) -> bytes:
    return zlib.compress(json.dumps(entries, separators=(",", ":"), default=str).encode(), 9)


def _without_payload(entry: dict[str, Any]) -> dict[str, Any]:
    if entry.get("payload") is None:
        return entry
    size = len(json.dumps(entry["payload"], default=str))
    return {**entry, "payload": {"truncated": True, "bytes": size}}

"""Opaque pagination cursors: a query's LastEvaluatedKey, base64url-encoded.

A cursor comes back from a client, so it is checked before use: it must be a key of the
same partition the query reads (a cursor minted for another tenant or another listing is
a 400 naming ``cursor``, never a DynamoDB error or a peek at someone else's items).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from agentgate.platform.errors import field_error

_TYPES = frozenset({"S", "N"})


def encode_cursor(last_evaluated_key: dict[str, Any] | None) -> str | None:
    if not last_evaluated_key:
        return None
    raw = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, partition: dict[str, str]) -> dict[str, Any] | None:
    """The key to start after; ``partition`` names the key attributes whose values must match exactly."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise field_error("cursor", "not a cursor this listing returned") from None
    well_formed = isinstance(key, dict) and all(
        isinstance(value, dict)
        and len(value) == 1
        and next(iter(value)) in _TYPES
        and isinstance(next(iter(value.values())), str)
        for value in key.values()
    )
    if not well_formed or any(key.get(name, {}).get("S") != value for name, value in partition.items()):
        raise field_error("cursor", "not a cursor this listing returned")
    return key

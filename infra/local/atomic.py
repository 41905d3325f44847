"""Makes each request to moto's DynamoDB atomic, as each request to DynamoDB is.

moto applies a transaction item by item and, before it does, deep-copies the whole table so it can
restore it on a failed condition. Two threads' requests can interleave there: the copy fails with
"dictionary changed size during iteration" (moto answers 500), or one request's restore undoes the
other's writes. DynamoDB never does either, so the local stack, and the tests that run requests
concurrently, hold one lock around every request of the backend. What the product's code does
(conditions, transactions, retries) is untouched.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

OPERATIONS = (
    "get_item",
    "put_item",
    "update_item",
    "delete_item",
    "query",
    "scan",
    "batch_get_item",
    "batch_write_item",
    "transact_get_items",
    "transact_write_items",
    "update_time_to_live",
)

_installed = False


def make_dynamodb_atomic(setattr_: Callable[[Any, str, Any], None] = setattr) -> None:
    """Wraps every request operation of moto's DynamoDB backend in one lock (``setattr_`` may undo it)."""
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    for name in OPERATIONS:
        original = getattr(DynamoDBBackend, name, None)
        if original is None or getattr(original, "__agentgate_atomic__", False):
            continue

        @functools.wraps(original)
        def locked(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with lock:
                return __original(self, *args, **kwargs)

        locked.__agentgate_atomic__ = True  # type: ignore[attr-defined]
        setattr_(DynamoDBBackend, name, locked)

"""Makes each request to moto's DynamoDB atomic, as each request to DynamoDB is.

moto applies a transaction item by item and, on a failed condition, restores a deep copy of the
whole table: two threads' requests can interleave and one can undo the other's writes. DynamoDB
never does that, so concurrency tests run with one lock around every request of the backend; what
they test (conditions and transactions in our code) is untouched.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

import pytest

_OPERATIONS = (
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
)


def make_requests_atomic(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    for name in _OPERATIONS:
        original = getattr(DynamoDBBackend, name)

        @functools.wraps(original)
        def locked(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with lock:
                return __original(self, *args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, locked)

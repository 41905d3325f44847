"""Makes each request to moto's DynamoDB atomic, as each request to DynamoDB is.

moto applies a transaction item by item and, on a failed condition, restores a deep copy of the
whole table: two threads' requests can interleave and one can undo the other's writes. DynamoDB
never does that, so concurrency tests run with one lock around every request of the backend; what
they test (conditions and transactions in our code) is untouched.
"""

from __future__ import annotations

import pytest

from infra.local.atomic import make_dynamodb_atomic


def make_requests_atomic(monkeypatch: pytest.MonkeyPatch) -> None:
    """The local stack's lock around moto's DynamoDB requests, undone when the test ends."""
    make_dynamodb_atomic(monkeypatch.setattr)

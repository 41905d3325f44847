"""The retry policy for DynamoDB work that can lose a race or be throttled.

Transactions cancelled by a conflicting transaction (``TransactionConflict``), by throttling, or
by a transaction in progress on the same item are retried with full jitter over an exponential
window (10 ms doubling, capped at 250 ms): writers that collided spread out instead of colliding
again in lockstep. Batches retry their unprocessed items on the same schedule. When the attempts
run out the caller gets a 503 with ``Retry-After``, never a 500.
"""

from __future__ import annotations

import random
import time

from agentgate.platform.errors import DependencyUnavailable

ATTEMPTS = 6
# Cancellation reason codes of a transaction that may succeed when sent again.
RETRYABLE_REASONS = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})
# Error codes of a whole request that may succeed when sent again.
RETRYABLE_ERRORS = frozenset(
    {
        "TransactionConflictException",
        "TransactionInProgressException",
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
    }
)


def pause_before_retry(attempt: int) -> None:
    """Sleep a random time in the attempt's window (attempt 0 waits up to 10 ms)."""
    time.sleep(random.uniform(0, min(0.25, 0.01 * 2**attempt)))  # noqa: S311 - jitter, not secrecy


BUSY_MESSAGE = "The data is being changed concurrently; retry."


def busy(message: str = BUSY_MESSAGE) -> DependencyUnavailable:
    """The 503 a caller gets when every attempt lost its race."""
    return DependencyUnavailable(message, headers={"Retry-After": "1"})

"""DynamoDB transactions over the single table, and reading why one was cancelled."""

from __future__ import annotations

from functools import cache

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from agentgate.platform.settings import get_settings


@cache
def _connection(region: str) -> Connection:
    # Its own connection: borrowing the base model's would leave the base model a cached
    # connection without the GSIs, which every item class would then inherit.
    return Connection(region=region)


def transaction() -> TransactWrite:
    """A TransactWrite on the table (all item classes share one table)."""
    return TransactWrite(connection=_connection(get_settings().region))


def cancellation_codes(exc: TransactWriteError) -> list[str | None]:
    """One code per item of the cancelled transaction, in order (None where that item was fine)."""
    return [
        None if reason is None or reason.code in (None, "None") else reason.code
        for reason in (exc.cancellation_reasons or [])
    ]

"""DynamoDB transactions over the single table, and reading why one was cancelled."""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from agentgate.platform.table import TableModel


def transaction() -> TransactWrite:
    """A TransactWrite on the table's connection (all item classes share one table)."""
    return TransactWrite(connection=TableModel._get_connection().connection)


def cancellation_codes(exc: TransactWriteError) -> list[str | None]:
    """One code per item of the cancelled transaction, in order (None where that item was fine)."""
    return [
        None if reason is None or reason.code in (None, "None") else reason.code
        for reason in (exc.cancellation_reasons or [])
    ]

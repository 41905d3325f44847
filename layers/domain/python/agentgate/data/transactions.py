"""DynamoDB transactions over the single table: named steps, one retry policy, readable failures.

A service describes a transaction as a function that adds steps to a ``Transaction``; the data
layer runs it, and runs it again (calling the function afresh, so it can re-read what it depends
on) when DynamoDB cancels it for a conflict or throttling. A failed condition is not retried: it
raises ``ConditionFailed`` naming the steps whose condition failed, so the service turns it into
its own answer (a tier limit, a 404, a 409) without counting positions in pynamodb's reordering.
A transaction whose conditions guard what ``build`` read (optimistic concurrency: an audit head, a
run's merge counter, a billing state) asks for ``retry_conditions``: a failed condition then means
the read went stale, and ``build`` runs again on what the table holds now. What the table refuses
for good (a validation error, an item collection too large) is ``TransactionRefused``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from agentgate.data import retries
from agentgate.platform.errors import Conflict
from agentgate.platform.settings import get_settings

T = TypeVar("T")
CONDITION_FAILED = "ConditionalCheckFailed"
# pynamodb sends a transaction's items grouped in this order, whatever order they were added in.
_KIND_ORDER = {"check": 0, "delete": 1, "put": 2, "update": 3}


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


class ConditionFailed(Conflict):
    """A write's condition did not hold; ``failed`` names the steps (or ``"item"`` for one write)."""

    code = "conflict"

    def __init__(
        self, failed: frozenset[str], message: str = "The item changed meanwhile; read it and retry."
    ) -> None:
        super().__init__(message)
        self.failed = failed


class TransactionRefused(Exception):
    """The table refused the transaction for a reason a retry cannot change; ``code`` is DynamoDB's."""

    def __init__(self, code: str | None, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class _Step:
    kind: str
    name: str
    item: Any
    condition: Condition | None
    actions: Sequence[Action] | None = None


class Transaction:
    """The steps of one transaction. ``check_item`` is a scope guard the tenant accessor installs."""

    def __init__(self, check_item: Callable[[Any], None] | None = None) -> None:
        self._steps: list[_Step] = []
        self._check_item = check_item or (lambda item: None)

    def _add(self, kind: str, item: Any, condition: Condition | None, name: str | None, **more: Any) -> None:
        self._check_item(item)
        self._steps.append(_Step(kind, name or f"#{len(self._steps)}", item, condition, **more))

    def put(self, item: Model, condition: Condition | None = None, *, name: str | None = None) -> None:
        self._add("put", item, condition, name)

    def update(
        self,
        item: Model,
        actions: Sequence[Action],
        condition: Condition | None = None,
        *,
        name: str | None = None,
    ) -> None:
        self._add("update", item, condition, name, actions=actions)

    def delete(self, item: Model, condition: Condition | None = None, *, name: str | None = None) -> None:
        self._add("delete", item, condition, name)

    def check(self, item: Model, condition: Condition, *, name: str | None = None) -> None:
        """Hold the transaction on ``condition`` of an item it does not change."""
        self._add("check", item, condition, name)

    @property
    def empty(self) -> bool:
        return not self._steps

    def _send(self) -> None:
        with transaction() as tx:
            for step in self._steps:
                if step.kind == "put":
                    tx.save(step.item, condition=step.condition)
                elif step.kind == "update":
                    tx.update(step.item, actions=list(step.actions or ()), condition=step.condition)
                elif step.kind == "delete":
                    tx.delete(step.item, condition=step.condition)
                else:
                    item = step.item
                    tx.condition_check(type(item), item.pk, item.sk, condition=step.condition)

    def _names_in_sent_order(self) -> list[str]:
        ordered = sorted(enumerate(self._steps), key=lambda pair: (_KIND_ORDER[pair[1].kind], pair[0]))
        return [step.name for _, step in ordered]


def run_transaction(
    build: Callable[[Transaction], T],
    *,
    check_item: Callable[[Any], None] | None = None,
    attempts: int = retries.ATTEMPTS,
    busy_message: str = retries.BUSY_MESSAGE,
    retry_conditions: bool = False,
) -> T:
    """Build and send a transaction, retrying conflicts and throttling; returns what ``build`` returned.

    Raises ``ConditionFailed`` naming the steps whose condition failed (with ``retry_conditions``,
    builds again instead), ``TransactionRefused`` for what no retry changes, or a 503 after
    ``attempts``. An empty transaction (``build`` added nothing) sends nothing.
    """
    for attempt in range(attempts):
        tx = Transaction(check_item)
        result = build(tx)
        if tx.empty:
            return result
        try:
            tx._send()
            return result
        except TransactWriteError as exc:
            codes = cancellation_codes(exc)
            names = tx._names_in_sent_order()
            failed = frozenset(
                name for name, code in zip(names, codes, strict=False) if code == CONDITION_FAILED
            )
            if failed and not retry_conditions:
                raise ConditionFailed(failed) from None
            retryable = bool(set(codes) & retries.RETRYABLE_REASONS) or (
                exc.cause_response_code in retries.RETRYABLE_ERRORS
            )
            if not (failed or retryable):
                raise TransactionRefused(exc.cause_response_code, str(exc)) from exc
            if attempt + 1 < attempts:
                retries.pause_before_retry(attempt)
    raise retries.busy(busy_message)

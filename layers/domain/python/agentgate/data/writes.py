"""Single-item writes with a condition, the failed condition raised as the caller's own answer.

``or_raise`` is the domain error a failed condition means here (``NotFound`` when the item must
exist, ``Conflict`` when it must not have changed); without one, ``ConditionFailed`` (409).
"""

from __future__ import annotations

from typing import TypeVar

from pynamodb.exceptions import DeleteError, PutError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model

from agentgate.data.transactions import ConditionFailed
from agentgate.platform.errors import DomainError

M = TypeVar("M", bound=Model)
_FAILED = "ConditionalCheckFailedException"


def _failed(exc: PutError | UpdateError | DeleteError, or_raise: DomainError | None) -> Exception | None:
    if exc.cause_response_code != _FAILED:
        return None
    return or_raise if or_raise is not None else ConditionFailed(frozenset({"item"}))


def put(item: M, condition: Condition | None = None, *, or_raise: DomainError | None = None) -> M:
    try:
        item.save(condition=condition)
    except PutError as exc:
        raise (_failed(exc, or_raise) or exc) from None
    return item


def update(
    item: M, actions: list[Action], condition: Condition | None = None, *, or_raise: DomainError | None = None
) -> M:
    """Apply ``actions``; ``item`` holds the updated attributes afterwards."""
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as exc:
        raise (_failed(exc, or_raise) or exc) from None
    return item


def delete(item: Model, condition: Condition | None = None, *, or_raise: DomainError | None = None) -> None:
    try:
        item.delete(condition=condition)
    except DeleteError as exc:
        raise (_failed(exc, or_raise) or exc) from None

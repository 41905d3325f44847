"""Global lookup items: keys outside any tenant (``CLIENT#``, ``APIKEY#``, ``USER#``, ``JTI#``...).

The authorizer and the token endpoint find a tenant through these before there is a tenant
context. They can never reach a tenant's own items: a ``TENANT#`` key is refused here, so the
only way to a tenant's partition is ``TenantData``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from typing_extensions import Unpack

from agentgate.data import queries, writes
from agentgate.data.tenant import TENANT_PREFIX
from agentgate.platform.errors import DomainError, NotFound

M = TypeVar("M", bound=Model)


def _global(pk: str) -> str:
    if pk.startswith(TENANT_PREFIX):
        raise ValueError("a tenant's items are read through TenantData")
    return pk


def find_global(model: type[M], pk: str, sk: str, *, consistent: bool = False) -> M | None:
    try:
        return model.get(_global(pk), sk, consistent_read=consistent)
    except model.DoesNotExist:
        return None


def get_global(
    model: type[M], pk: str, sk: str, *, missing: str = "Not found.", consistent: bool = False
) -> M:
    item = find_global(model, pk, sk, consistent=consistent)
    if item is None:
        raise NotFound(missing)
    return item


def put_global(item: M, condition: Condition | None = None, *, or_raise: DomainError | None = None) -> M:
    _global(item.pk)  # type: ignore[attr-defined]
    return writes.put(item, condition, or_raise=or_raise)


def update_global(
    item: M, actions: list[Action], condition: Condition | None = None, *, or_raise: DomainError | None = None
) -> M:
    _global(item.pk)  # type: ignore[attr-defined]
    return writes.update(item, actions, condition, or_raise=or_raise)


def delete_global(
    item: Model, condition: Condition | None = None, *, or_raise: DomainError | None = None
) -> None:
    _global(item.pk)  # type: ignore[attr-defined]
    writes.delete(item, condition, or_raise=or_raise)


def query_global(
    model: type[M], pk: str, *, limit: int | None = None, **where: Unpack[queries.KeyRange]
) -> Iterator[M]:
    """Every item of a global partition, of the table or of a GSI (the tenants active on a day, every
    tenant's audit head, the open reservations of every tenant), for the platform's timers; ``where``
    narrows it as a ``KeyRange`` does a tenant's listing."""
    return queries.query_all(model, _global(pk), limit=limit, **where)

"""Batch reads and writes with their unprocessed items retried (DynamoDB returns some under load).

Requests are split at DynamoDB's limits (100 keys a read, 25 items a write); what comes back
unprocessed is sent again on the retry policy's schedule, and when attempts run out the caller
gets a 503 rather than a silently partial result.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from pynamodb.models import Model

from agentgate.data import retries
from agentgate.platform.aws import client
from agentgate.platform.settings import get_settings

M = TypeVar("M", bound=Model)
GET_MAX = 100
WRITE_MAX = 25


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _keys_of(item: Model) -> dict[str, Any]:
    return _key(getattr(item, "pk"), getattr(item, "sk"))  # noqa: B009 - TableModel's keys, typed as Model


def batch_get(model: type[M], keys: Iterable[tuple[str, str]], *, consistent: bool = False) -> list[M]:
    """The items that exist, in the order of ``keys`` (duplicates read once)."""
    wanted = list(dict.fromkeys(keys))
    table = get_settings().table_name
    found: dict[tuple[str, str], M] = {}
    for start in range(0, len(wanted), GET_MAX):
        pending: dict[str, Any] = {
            table: {
                "Keys": [_key(pk, sk) for pk, sk in wanted[start : start + GET_MAX]],
                "ConsistentRead": consistent,
            }
        }
        for attempt in range(retries.ATTEMPTS):
            response = client("dynamodb").batch_get_item(RequestItems=pending)
            for raw in response.get("Responses", {}).get(table, []):
                item = model.from_raw_data(raw)
                found[(raw["pk"]["S"], raw["sk"]["S"])] = item
            pending = response.get("UnprocessedKeys") or {}
            if not pending:
                break
            retries.pause_before_retry(attempt)
        else:
            raise retries.busy("The data is busy; retry shortly.")
    return [found[key] for key in wanted if key in found]


def batch_write(puts: Iterable[Model] = (), deletes: Iterable[Model] = ()) -> None:
    """Put and delete many items (no conditions: DynamoDB's batches take none)."""
    table = get_settings().table_name
    requests: list[dict[str, Any]] = [{"PutRequest": {"Item": item.serialize()}} for item in puts]
    requests += [{"DeleteRequest": {"Key": _keys_of(item)}} for item in deletes]
    for start in range(0, len(requests), WRITE_MAX):
        pending: dict[str, Any] = {table: requests[start : start + WRITE_MAX]}
        for attempt in range(retries.ATTEMPTS):
            response = client("dynamodb").batch_write_item(RequestItems=pending)
            pending = response.get("UnprocessedItems") or {}
            if not pending:
                break
            retries.pause_before_retry(attempt)
        else:
            raise retries.busy("The data is busy; retry shortly.")

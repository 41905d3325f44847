"""Batch reads and writes with their unprocessed items retried (DynamoDB returns some under load).

Requests are split at DynamoDB's limits (100 keys a read, 25 items a write); what comes back
unprocessed is sent again on the retry policy's schedule, and when attempts run out the caller
gets a 503 rather than a silently partial result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
    return batch_get_many([(model, pk, sk) for pk, sk in keys], consistent=consistent)  # type: ignore[return-value]


def _until_processed(
    send: Callable[[dict[str, Any]], dict[str, Any]], pending: dict[str, Any], left: str
) -> None:
    """Send ``pending`` and then what comes back under ``left`` (unprocessed), on the retry schedule."""
    for attempt in range(retries.ATTEMPTS):
        pending = send(pending).get(left) or {}
        if not pending:
            return
        retries.pause_before_retry(attempt)
    raise retries.busy("The data is busy; retry shortly.")


def batch_get_many(
    requests: Iterable[tuple[type[Model], str, str]], *, consistent: bool = False
) -> list[Model]:
    """Items of several classes in one BatchGetItem: ``(class, pk, sk)`` each; those that exist, in order."""
    models = {(pk, sk): model for model, pk, sk in requests}
    wanted = list(models)
    table = get_settings().table_name
    found: dict[tuple[str, str], Model] = {}

    def send(pending: dict[str, Any]) -> dict[str, Any]:
        response: dict[str, Any] = client("dynamodb").batch_get_item(RequestItems=pending)
        for raw in response.get("Responses", {}).get(table, []):
            key = (raw["pk"]["S"], raw["sk"]["S"])
            found[key] = models[key].from_raw_data(raw)
        return response

    for start in range(0, len(wanted), GET_MAX):
        keys = [_key(pk, sk) for pk, sk in wanted[start : start + GET_MAX]]
        _until_processed(send, {table: {"Keys": keys, "ConsistentRead": consistent}}, "UnprocessedKeys")
    return [found[key] for key in wanted if key in found]


def batch_write(puts: Iterable[Model] = (), deletes: Iterable[Model] = ()) -> None:
    """Put and delete many items (no conditions: DynamoDB's batches take none)."""
    table = get_settings().table_name
    requests: list[dict[str, Any]] = [{"PutRequest": {"Item": item.serialize()}} for item in puts]
    requests += [{"DeleteRequest": {"Key": _keys_of(item)}} for item in deletes]

    def send(pending: dict[str, Any]) -> dict[str, Any]:
        response: dict[str, Any] = client("dynamodb").batch_write_item(RequestItems=pending)
        return response

    for start in range(0, len(requests), WRITE_MAX):
        _until_processed(send, {table: requests[start : start + WRITE_MAX]}, "UnprocessedItems")

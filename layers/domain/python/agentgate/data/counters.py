"""Counter items: one transaction Update that ADDs to counters and sets attributes only when absent.

The runs consumer and the analytics consumer keep day and hour counters this way, in the same
TransactWriteItems as the item they count, so a record stored once is counted once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError
from pynamodb.models import Model

from agentgate.platform.aws import client

# One counter item of a transaction: its sort key, what to ADD, what to set when absent.
Counter = tuple[str, dict[str, Any], dict[str, Any]]


def counter_update(
    table: str, pk: str, sk: str, adds: dict[str, Any], sets: dict[str, Any]
) -> dict[str, Any]:
    """A transaction Update that ADDs counters and sets attributes only when absent."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    add_parts, set_parts = [], []
    for i, (name, value) in enumerate(adds.items()):
        names[f"#a{i}"] = name
        values[f":a{i}"] = {"N": format(value, "f") if isinstance(value, Decimal) else str(value)}
        add_parts.append(f"#a{i} :a{i}")
    for i, (name, value) in enumerate(sets.items()):
        names[f"#s{i}"] = name
        values[f":s{i}"] = {"N": str(value)} if isinstance(value, int) else {"S": value}
        set_parts.append(f"#s{i} = if_not_exists(#s{i}, :s{i})")
    expression = "ADD " + ", ".join(add_parts) + (" SET " + ", ".join(set_parts) if set_parts else "")
    return {
        "Update": {
            "TableName": table,
            "Key": {"pk": {"S": pk}, "sk": {"S": sk}},
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
    }


def put_if_absent(table: str, item: Model) -> dict[str, Any]:
    """A transaction Put of ``item`` on the condition that its key is free (the item counted once)."""
    return {
        "Put": {
            "TableName": table,
            "Item": item.serialize(),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def write_counted(items: list[dict[str, Any]]) -> bool:
    """Send the first item (a ``put_if_absent``) and its counters as one transaction.

    False when the first item already exists and nothing else failed: a duplicate, counted before.
    Any other failure is raised as it is: a stream consumer reports it and its event source retries.
    """
    try:
        client("dynamodb").transact_write_items(TransactItems=items)
    except ClientError as exc:
        if not _only_first_exists(exc):
            raise
        return False
    return True


def _only_first_exists(exc: ClientError) -> bool:
    """The transaction failed only because the run is already stored."""
    if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return False
    reasons = exc.response.get("CancellationReasons") or []
    if not reasons:  # some emulators put the reasons only in the message
        return "[ConditionalCheckFailed" in str(exc)
    return reasons[0].get("Code") == "ConditionalCheckFailed" and all(
        r.get("Code") in (None, "None", "ConditionalCheckFailed") for r in reasons[1:]
    )

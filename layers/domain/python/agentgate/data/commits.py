"""Counting a stream batch once: run puts on their own, the batch's counters in one transaction.

The runs consumer puts each run on its own (a conditional put: 1 write unit per KB, half a
transactional one) stamped with the id of the commit that will count it, then adds the whole
batch's counters in ONE transaction together with the commit's marker items (one per tenant,
``attribute_not_exists``). A commit whose marker is there was counted; a commit whose marker is
``void`` was taken over by a later batch and can never be written (its transaction's condition
fails). These are the mechanics; the rules are in ``services.runs_batch``.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError
from pynamodb.models import Model

from agentgate.platform.aws import client
from agentgate.platform.settings import get_settings

# DynamoDB's limit on the items of one TransactWriteItems.
TRANSACTION_MAX_ITEMS = 100


class CommitRefused(Exception):
    """A commit's transaction failed a condition: its marker was voided, or a run it takes over moved."""


def put_new(item: Model) -> bool:
    """Put ``item`` unless its key is taken; False when it was there already (nothing written)."""
    try:
        client("dynamodb").put_item(
            TableName=get_settings().table_name,
            Item=item.serialize(),
            ConditionExpression="attribute_not_exists(pk)",
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise
    return True


def claim_void(marker: Model) -> str:
    """Write ``marker`` (state ``void``) unless the commit has a marker already; the state that stands."""
    if put_new(marker):
        return "void"
    raw = client("dynamodb").get_item(
        TableName=get_settings().table_name,
        Key={"pk": {"S": marker.pk}, "sk": {"S": marker.sk}},  # type: ignore[attr-defined]
        ConsistentRead=True,
    )
    return str(raw["Item"]["state"]["S"])


def marker_put(marker: Model) -> dict[str, Any]:
    """A transaction Put of a commit's marker, on the condition that the commit was never voided."""
    return {
        "Put": {
            "TableName": get_settings().table_name,
            "Item": marker.serialize(),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def restamp(pk: str, sk: str, old: str, new: str) -> dict[str, Any]:
    """A transaction Update moving a stored run from the void commit ``old`` to the commit ``new``."""
    return {
        "Update": {
            "TableName": get_settings().table_name,
            "Key": {"pk": {"S": pk}, "sk": {"S": sk}},
            "UpdateExpression": "SET commit_id = :new",
            "ConditionExpression": "commit_id = :old",
            "ExpressionAttributeValues": {":new": {"S": new}, ":old": {"S": old}},
        }
    }


def commit(actions: list[dict[str, Any]]) -> None:
    """Send a commit's items as one transaction; CommitRefused when a condition failed.

    Throttling and conflicts are raised as they are: the consumer reports the batch and the event
    source delivers it again.
    """
    if len(actions) > TRANSACTION_MAX_ITEMS:
        raise ValueError(f"a commit holds at most {TRANSACTION_MAX_ITEMS} items, not {len(actions)}")
    try:
        client("dynamodb").transact_write_items(TransactItems=actions)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
            raise
        reasons = exc.response.get("CancellationReasons") or []
        failed = any(r.get("Code") == "ConditionalCheckFailed" for r in reasons) or (
            not reasons and "ConditionalCheckFailed" in str(exc)
        )
        if failed:
            raise CommitRefused(str(exc)) from exc
        raise

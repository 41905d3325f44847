"""The single DynamoDB table: its shape (read by CDK and the local stack) and the pynamodb base model.

Every item of a tenant lives under ``pk = TENANT#<id>``; global lookups (a client id,
an API key hash, a Stripe event id, a revoked token id) have their own prefixes.
Two generic GSIs serve listing patterns; ``expires_at`` is the TTL attribute.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from agentgate.platform.settings import get_settings

PARTITION_KEY = "pk"
SORT_KEY = "sk"
TTL_ATTRIBUTE = "expires_at"
GSI1, GSI2 = "gsi1", "gsi2"
INDEXES: dict[str, tuple[str, str]] = {GSI1: ("gsi1pk", "gsi1sk"), GSI2: ("gsi2pk", "gsi2sk")}


def table_definition(table_name: str) -> dict[str, Any]:
    """CreateTable arguments for the table (the local stack and tests use it; CDK mirrors it)."""
    attributes = [PARTITION_KEY, SORT_KEY, *(name for pair in INDEXES.values() for name in pair)]
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in attributes],
        "KeySchema": [
            {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": index,
                "KeySchema": [
                    {"AttributeName": pk, "KeyType": "HASH"},
                    {"AttributeName": sk, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index, (pk, sk) in INDEXES.items()
        ],
        "StreamSpecification": {"StreamEnabled": False},
    }


def create_table(dynamodb_client: Any, table_name: str) -> None:
    """Create the table and enable TTL (idempotent enough for local stacks and tests)."""
    existing = dynamodb_client.list_tables().get("TableNames", [])
    if table_name in existing:
        return
    dynamodb_client.create_table(**table_definition(table_name))
    dynamodb_client.update_time_to_live(
        TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE}
    )


class _FromSettings:
    """A Meta attribute resolved on every read, so the table name is never fixed at import time."""

    def __init__(self, attribute: str) -> None:
        self.attribute = attribute

    def __get__(self, obj: object, owner: type | None = None) -> str:
        return str(getattr(get_settings(), self.attribute))


class TableModel(Model):
    """Base of every item class: shared keys, the two GSIs' attributes and the TTL."""

    class Meta:
        table_name = _FromSettings("table_name")
        region = _FromSettings("region")
        max_retry_attempts = 3

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)
    version = NumberAttribute(default=0)


class Gsi1(GlobalSecondaryIndex):
    class Meta:
        index_name = GSI1
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class Gsi2(GlobalSecondaryIndex):
    class Meta:
        index_name = GSI2
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)

"""The local stack's moto DynamoDB: a refused transaction leaves every item as it was, and one that
succeeds writes every item, with the item-level undo that replaces moto's copy of the whole table."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tests.support.atomic_dynamodb import make_requests_atomic

TABLE = "atomic-test"


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    make_requests_atomic(monkeypatch)
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "PK", "AttributeType": "S"},
                {"AttributeName": "SK", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        for sk, n in (("a", "1"), ("b", "2")):
            dynamodb.put_item(TableName=TABLE, Item={"PK": {"S": "T"}, "SK": {"S": sk}, "n": {"N": n}})
        yield dynamodb


def _items(client: Any) -> dict[str, str]:
    rows = client.scan(TableName=TABLE)["Items"]
    return {row["SK"]["S"]: row["n"]["N"] for row in rows}


def _key(sk: str) -> dict[str, Any]:
    return {"PK": {"S": "T"}, "SK": {"S": sk}}


def _writes(last_condition: str) -> list[dict[str, Any]]:
    """An update, a delete and a new put, then a condition check that holds or fails."""
    return [
        {
            "Update": {
                "TableName": TABLE,
                "Key": _key("a"),
                "UpdateExpression": "SET n = n + :one",
                "ExpressionAttributeValues": {":one": {"N": "10"}},
            }
        },
        {"Delete": {"TableName": TABLE, "Key": _key("b")}},
        {"Put": {"TableName": TABLE, "Item": {**_key("c"), "n": {"N": "3"}}}},
        {
            "ConditionCheck": {
                "TableName": TABLE,
                "Key": _key("d"),
                "ConditionExpression": last_condition,
            }
        },
    ]


def test_a_refused_transaction_leaves_every_item_as_it_was(client: Any) -> None:
    with pytest.raises(ClientError) as refused:
        client.transact_write_items(TransactItems=_writes("attribute_exists(PK)"))
    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert _items(client) == {"a": "1", "b": "2"}


def test_a_transaction_that_holds_writes_every_item(client: Any) -> None:
    client.transact_write_items(TransactItems=_writes("attribute_not_exists(PK)"))
    assert _items(client) == {"a": "11", "c": "3"}


def test_concurrent_transactions_each_apply_whole(client: Any) -> None:
    """40 increments from 4 threads, two in ten refused: the count is exactly the ones that held."""
    held = []

    def work(worker: int) -> None:
        for i in range(10):
            fail = i % 4 == 3
            items = [
                {
                    "Update": {
                        "TableName": TABLE,
                        "Key": _key("a"),
                        "UpdateExpression": "SET n = n + :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
                {
                    "Put": {
                        "TableName": TABLE,
                        "Item": {**_key(f"w{worker}-{i}"), "n": {"N": "0"}},
                        "ConditionExpression": "attribute_exists(PK)" if fail else "attribute_not_exists(PK)",
                    }
                },
            ]
            try:
                client.transact_write_items(TransactItems=items)
                held.append(1)
            except ClientError:
                pass

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    items = _items(client)
    assert len(held) == 4 * (10 - 2)
    assert items["a"] == str(1 + len(held))
    assert len([sk for sk in items if sk.startswith("w")]) == len(held)


QUERIES: list[dict[str, Any]] = [
    {"KeyConditionExpression": "PK = :p", "ExpressionAttributeValues": {":p": {"S": "P1"}}},
    {
        "KeyConditionExpression": "PK = :p AND begins_with(SK, :s)",
        "ExpressionAttributeValues": {":p": {"S": "P2"}, ":s": {"S": "RUN#"}},
        "Limit": 7,
        "ScanIndexForward": False,
    },
    {
        "KeyConditionExpression": "PK = :p AND SK BETWEEN :a AND :b",
        "ExpressionAttributeValues": {":p": {"S": "P0"}, ":a": {"S": "AGENT#03"}, ":b": {"S": "RUN#10"}},
    },
    {
        "KeyConditionExpression": "PK = :p AND SK > :a",
        "FilterExpression": "n > :n",
        "ExpressionAttributeValues": {":p": {"S": "P1"}, ":a": {"S": "AGENT#05"}, ":n": {"N": "40"}},
    },
    {
        "IndexName": "GSI1",
        "KeyConditionExpression": "GSI1PK = :g",
        "ExpressionAttributeValues": {":g": {"S": "KIND#run"}},
        "Limit": 9,
    },
    {
        "IndexName": "GSI1",
        "KeyConditionExpression": "GSI1PK = :g AND begins_with(GSI1SK, :s)",
        "ExpressionAttributeValues": {":g": {"S": "KIND#agent"}, ":s": {"S": "0"}},
        "ScanIndexForward": False,
    },
]


def _every_page(dynamodb: Any, query: dict[str, Any]) -> list[list[dict[str, Any]]]:
    pages, start = [], None
    while True:
        page = dynamodb.query(TableName="queries", **query, **({"ExclusiveStartKey": start} if start else {}))
        pages.append(page["Items"])
        start = page.get("LastEvaluatedKey")
        if not start:
            return pages


def _query_results() -> list[list[list[dict[str, Any]]]]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(
            TableName="queries",
            KeySchema=[
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": name, "AttributeType": "S"} for name in ("PK", "SK", "GSI1PK", "GSI1SK")
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "GSI1",
                    "KeySchema": [
                        {"AttributeName": "GSI1PK", "KeyType": "HASH"},
                        {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        for i in range(90):
            kind = "run" if i % 3 else "agent"
            dynamodb.put_item(
                TableName="queries",
                Item={
                    "PK": {"S": f"P{i % 3}"},
                    "SK": {"S": f"{kind.upper()}#{i:02d}"},
                    "GSI1PK": {"S": f"KIND#{kind}"},
                    "GSI1SK": {"S": f"{(i * 7) % 90:02d}"},
                    "n": {"N": str(i)},
                },
            )
        return [_every_page(dynamodb, query) for query in QUERIES]


def test_queries_answer_as_moto_answers_them(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = _query_results()
    make_requests_atomic(monkeypatch)
    narrowed = _query_results()
    assert [sum(len(page) for page in pages) for pages in plain] == [30, 30, 29, 16, 60, 4]
    assert narrowed == plain

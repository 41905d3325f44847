"""Shared givens of the runs, costs, budgets and analytics tests (no tests here).

``Stream`` reads what ingestion put on a stream and delivers it to a consumer with the
semantics of a Lambda event source mapping: batches in order, a reported item failure
makes the batch retry from that record.
"""

from __future__ import annotations

import copy
import importlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from unittest.mock import patch

from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from moto.dynamodb.models.dynamo_type import DynamoType

from agentgate.models import AgentItem, TenantItem, tenant_pk
from agentgate.platform.aws import client
from agentgate.platform.settings import get_settings
from agentgate.platform.tenancy import Caller, Principal, Role, TenantContext
from agentgate.tools.kinesis_events import event_from_records, read_stream
from infra.local.apigw import LambdaContext


def user(tenant_id: str, role: Role = Role.ADMIN, tier: str = "pro") -> TenantContext:
    return TenantContext(tenant_id, Principal(Caller.USER, f"user-{tenant_id}", role=role), tier=tier)


def agent(tenant_id: str, agent_id: str, team: str | None = None, tier: str = "pro") -> TenantContext:
    principal = Principal(
        Caller.AGENT, agent_id, scopes=frozenset({"runs:write"}), agent_id=agent_id, team=team
    )
    return TenantContext(tenant_id, principal, tier=tier)


def apikey(tenant_id: str, scopes: set[str], tier: str = "pro") -> TenantContext:
    return TenantContext(
        tenant_id, Principal(Caller.APIKEY, f"key-{tenant_id}", scopes=frozenset(scopes)), tier=tier
    )


def make_tenant(tenant_id: str, tier: str = "pro") -> None:
    TenantItem(tenant_pk(tenant_id), TenantItem.SK, tenant_id=tenant_id, name=tenant_id, tier=tier,
               created_at=datetime.now(UTC)).save()  # fmt: skip


def make_agent(tenant_id: str, agent_id: str, team: str | None = None) -> None:
    AgentItem(
        tenant_pk(tenant_id),
        AgentItem.sk_for(agent_id),
        tenant_id=tenant_id,
        agent_id=agent_id,
        name=f"Agent {agent_id}",
        team=team,
        created_at=datetime.now(UTC),
    ).save()


def run_body(run_id: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "run_id": run_id,
        "status": "success",
        "start_time": "2026-01-10T12:00:00Z",
        "end_time": "2026-01-10T12:00:01.500Z",
        "model": "gpt-4o",
        "provider": "openai",
        "token_usage": {"input": 1000, "output": 500, "cache_read": 0, "cache_write": 0},
    }
    body.update(fields)
    return body


def table_items() -> list[dict[str, Any]]:
    """Every item in the table (a scan: tests only, to prove nothing was written)."""
    dynamodb = client("dynamodb")
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": get_settings().table_name}
    while True:
        page = dynamodb.scan(**kwargs)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def dead_letters() -> list[dict[str, Any]]:
    sqs = client("sqs")
    url = get_settings().runs_dead_letter_queue_url
    out: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get(
            "Messages", []
        )
        new = [json.loads(m["Body"]) for m in messages if json.loads(m["Body"]) not in out]
        if not new:
            return out
        out.extend(new)


@dataclass
class Delivery:
    invocations: int = 0
    retried_from: list[str] = field(default_factory=list)


@dataclass
class Stream:
    """One stream's records, delivered to its consumer like an event source mapping does."""

    name: str = "runs"
    consumer: str = "runs_consumer"
    batch_size: int = 100
    records: list[dict[str, Any]] = field(default_factory=list)

    @property
    def stream_name(self) -> str:
        return get_settings().runs_stream if self.name == "runs" else get_settings().analytics_stream

    def read(self) -> list[dict[str, Any]]:
        self.records = read_stream(client("kinesis"), self.stream_name)
        return self.records

    def invoke(self, batch: list[dict[str, Any]]) -> dict[str, Any]:
        module = importlib.import_module(f"functions.{self.consumer}")
        return module.handler(event_from_records(batch, self.stream_name), LambdaContext(self.consumer))

    def deliver(self, records: list[dict[str, Any]] | None = None, max_retries: int = 5) -> Delivery:
        records = self.records if records is None else records
        report = Delivery()
        position, retries = 0, 0
        while position < len(records):
            batch = records[position : position + self.batch_size]
            try:
                response = self.invoke(batch)
                failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
            except BatchProcessingError:  # every record failed: a function error, the whole batch retries
                failed = {r["SequenceNumber"] for r in batch}
            report.invocations += 1
            if not failed:
                position += len(batch)
                retries = 0
                continue
            retries += 1
            assert retries <= max_retries, "the batch keeps failing"
            first = next(i for i, r in enumerate(batch) if r["SequenceNumber"] in failed)
            report.retried_from.append(batch[first]["SequenceNumber"])
            position += first
        return report


class _TableKeepingCopy:
    """``copy`` as moto's DynamoDB backend sees it, except that a whole table is not deep-copied."""

    def __init__(self) -> None:
        import copy

        from moto.dynamodb.models.table import Table

        self._copy, self._table = copy, Table

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        return value if isinstance(value, self._table) else self._copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._copy, name)


@contextmanager
def linear_moto_transactions() -> Iterator[None]:
    """moto 5 deep-copies the whole table for every item of every TransactWriteItems (its rollback
    snapshot), which makes a 1,000-run test quadratic (about 25 minutes here). This keeps moto's
    semantics (conditions, all-or-nothing) with a snapshot of only the items the transaction
    touches, restored when moto cancels the transaction. An emulator speed-up, nothing of ours."""
    from moto.dynamodb import models

    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(backend: Any, transact_items: list[dict[str, Any]]) -> None:
        saved = []
        for entry in transact_items:
            op = next(iter(entry.values()))
            table = backend.get_table(op["TableName"])
            key = op.get("Key") or {
                name: op["Item"][name] for name in (table.hash_key_attr, table.range_key_attr) if name
            }
            saved.append((table, key, copy.deepcopy(backend.get_item(op["TableName"], key))))
        try:
            original(backend, transact_items)
        except Exception:
            for table, key, item in saved:
                hash_value = DynamoType(key[table.hash_key_attr])
                range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
                if item is None:
                    table.items[hash_value].pop(range_value, None)
                else:
                    table.items[hash_value][range_value] = item
            raise

    with (
        patch.object(models, "copy", _TableKeepingCopy()),
        patch.object(models.DynamoDBBackend, "transact_write_items", transact_write_items),
    ):
        yield

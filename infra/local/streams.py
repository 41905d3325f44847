"""Kinesis streams into their consumers, with the semantics of a Lambda event source mapping.

Per shard, from the trim horizon: read up to ``batch_size`` records (waiting up to the batching
window for more when the batch is not full) and invoke the consumer.
- ``{"batchItemFailures": [{"itemIdentifier": <sequence number>}]}``: the records before the
  first failed one are done; the batch is retried from that record (an unknown or empty
  identifier fails the whole batch, as on AWS).
- An exception (function error): the whole batch failed; with ``bisect_on_error`` it is split
  in two and each half is retried in order, so a poison record ends up alone.
- A failing batch is retried up to ``retry_attempts`` times; then its metadata (shard, sequence
  range, stream ARN, error) goes to the on-failure SQS queue, as AWS sends it, and the shard
  moves on. Nothing is dropped silently.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from agentgate.consumers import StreamConsumer
from infra.local.apigw import ACCOUNT_ID
from infra.local.handlers import FunctionRunner, poll_until_stopped

log = logging.getLogger("infra.local.streams")


@dataclass
class Outcome:
    ok: bool
    failed_from: int = 0  # index of the first record to retry
    error: str = ""
    function_error: bool = False


@dataclass
class PollReport:
    """What one poll did: for the log and for tests."""

    records: int = 0
    invocations: int = 0
    dead_lettered: list[dict[str, Any]] = field(default_factory=list)


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return str(value)


class StreamPoller:
    def __init__(
        self,
        consumer: StreamConsumer,
        *,
        stream_name: str,
        kinesis: Any,
        sqs: Any,
        on_failure_queue_url: str,
        runner: FunctionRunner,
        region: str = "us-east-1",
        wait: Callable[[float], object] = time.sleep,
    ) -> None:
        self.consumer = consumer
        self._wait = wait  # how the batching window passes (tests inject their own)
        self.stream_name = stream_name
        self.kinesis = kinesis
        self.sqs = sqs
        self.on_failure_queue_url = on_failure_queue_url
        self.runner = runner
        self.region = region
        summary = kinesis.describe_stream_summary(StreamName=stream_name)["StreamDescriptionSummary"]
        self.stream_arn: str = summary["StreamARN"]
        self._iterators: dict[str, str] = {}
        for shard in kinesis.list_shards(StreamName=stream_name)["Shards"]:
            self._iterators[shard["ShardId"]] = kinesis.get_shard_iterator(
                StreamName=stream_name, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]

    @property
    def function_arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{ACCOUNT_ID}:function:{self.consumer.handler}"

    def poll_once(self) -> PollReport:
        """Read one batch per shard and see each through to success or the on-failure queue."""
        report = PollReport()
        for shard_id in list(self._iterators):
            records = self._read(shard_id, self.consumer.batch_size)
            window = self.consumer.max_batching_window_seconds
            if records and window > 0 and len(records) < self.consumer.batch_size:
                # The batching window: gather what arrives within it before invoking, as Lambda does.
                self._wait(window)
                records += self._read(shard_id, self.consumer.batch_size - len(records))
            if records:
                report.records += len(records)
                self._process(shard_id, records, report)
        return report

    def _read(self, shard_id: str, limit: int) -> list[dict[str, Any]]:
        page = self.kinesis.get_records(ShardIterator=self._iterators[shard_id], Limit=limit)
        self._iterators[shard_id] = page["NextShardIterator"]
        records: list[dict[str, Any]] = page["Records"]
        return records

    def run(self, stop: threading.Event, idle_seconds: float = 0.5) -> None:
        poll_until_stopped(
            f"poller {self.consumer.name}", lambda: self.poll_once().records, stop, idle_seconds
        )

    def _process(self, shard_id: str, records: list[dict[str, Any]], report: PollReport) -> None:
        pending: deque[list[dict[str, Any]]] = deque([records])
        retries = 0
        while pending:
            batch = pending.popleft()
            report.invocations += 1
            outcome = self._invoke(shard_id, batch)
            if outcome.ok:
                continue
            remaining = batch[outcome.failed_from :]
            if retries >= self.consumer.retry_attempts:
                report.dead_lettered.append(self._dead_letter(shard_id, remaining, outcome, retries + 1))
                retries = 0
                continue
            retries += 1
            if outcome.function_error and self.consumer.bisect_on_error and len(remaining) > 1:
                middle = len(remaining) // 2
                pending.appendleft(remaining[middle:])
                pending.appendleft(remaining[:middle])
            else:
                pending.appendleft(remaining)

    def event(self, batch: list[dict[str, Any]], shard_id: str) -> dict[str, Any]:
        return {
            "Records": [
                {
                    "kinesis": {
                        "kinesisSchemaVersion": "1.0",
                        "partitionKey": record["PartitionKey"],
                        "sequenceNumber": record["SequenceNumber"],
                        "data": base64.b64encode(record["Data"]).decode(),
                        "approximateArrivalTimestamp": _epoch(record.get("ApproximateArrivalTimestamp")),
                    },
                    "eventSource": "aws:kinesis",
                    "eventVersion": "1.0",
                    "eventID": f"{shard_id}:{record['SequenceNumber']}",
                    "eventName": "aws:kinesis:record",
                    "invokeIdentityArn": f"arn:aws:iam::{ACCOUNT_ID}:role/{self.consumer.name}",
                    "awsRegion": self.region,
                    "eventSourceARN": self.stream_arn,
                }
                for record in batch
            ]
        }

    def _invoke(self, shard_id: str, batch: list[dict[str, Any]]) -> Outcome:
        try:
            result = self.runner.invoke(self.consumer.handler, self.event(batch, shard_id))
        except Exception as exc:  # noqa: BLE001 - a function error: retried, bisected, dead-lettered
            log.warning("consumer %s raised %s: %s", self.consumer.name, type(exc).__name__, exc)
            return Outcome(False, 0, f"{type(exc).__name__}: {exc}", function_error=True)
        failures = (result or {}).get("batchItemFailures") if isinstance(result, dict) else None
        if not failures:
            return Outcome(True)
        sequence = [record["SequenceNumber"] for record in batch]
        identifiers = [item.get("itemIdentifier") if isinstance(item, dict) else None for item in failures]
        if any(i not in sequence for i in identifiers):
            return Outcome(False, 0, "invalid batchItemFailures: the whole batch is retried")
        first = min(sequence.index(i) for i in identifiers)
        return Outcome(False, first, f"{len(identifiers)} record(s) reported failed")

    def _dead_letter(
        self, shard_id: str, batch: list[dict[str, Any]], outcome: Outcome, invocations: int
    ) -> dict[str, Any]:
        """Send the batch's metadata (never its data, as on AWS) to the on-failure destination."""
        message = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": self.function_arn,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": invocations,
            },
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled" if outcome.function_error else "",
            },
            "version": "1.0",
            "timestamp": _iso(datetime.now(UTC)),
            "error": outcome.error,
            "KinesisBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": batch[0]["SequenceNumber"],
                "endSequenceNumber": batch[-1]["SequenceNumber"],
                "approximateArrivalOfFirstRecord": _iso(batch[0].get("ApproximateArrivalTimestamp")),
                "approximateArrivalOfLastRecord": _iso(batch[-1].get("ApproximateArrivalTimestamp")),
                "batchSize": len(batch),
                "streamArn": self.stream_arn,
            },
        }
        self.sqs.send_message(QueueUrl=self.on_failure_queue_url, MessageBody=json.dumps(message))
        log.error(
            "consumer %s: records %s..%s sent to the on-failure queue (%s)",
            self.consumer.name,
            batch[0]["SequenceNumber"],
            batch[-1]["SequenceNumber"],
            outcome.error,
        )
        return message


def _epoch(value: Any) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    return float(value or 0)

"""SQS queues into their consumers, with the semantics of a Lambda SQS event source mapping.

Receive up to ``batch_size`` messages (they turn invisible for the queue's visibility timeout),
invoke the consumer with the SQS event, delete what succeeded: everything on success, all but
the ``batchItemFailures`` on a partial failure, nothing when the function raises. A message
that keeps failing comes back after its visibility timeout until the queue's redrive policy
(``maxReceiveCount``) moves it to the dead-letter queue; moto does that move, as SQS does.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from agentgate.consumers import QueueConsumer
from infra.local.handlers import FunctionRunner, poll_until_stopped

log = logging.getLogger("infra.local.queues")


@dataclass
class DrainReport:
    received: int = 0
    deleted: int = 0
    failed: list[str] = field(default_factory=list)  # message ids left for a retry


class QueuePoller:
    def __init__(
        self, consumer: QueueConsumer, *, queue_url: str, sqs: Any, runner: FunctionRunner, region: str
    ) -> None:
        self.consumer = consumer
        self.queue_url = queue_url
        self.sqs = sqs
        self.runner = runner
        self.region = region
        attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]
        self.queue_arn: str = attributes["QueueArn"]

    def event(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "Records": [
                {
                    "messageId": message["MessageId"],
                    "receiptHandle": message["ReceiptHandle"],
                    "body": message["Body"],
                    "attributes": message.get("Attributes", {}),
                    "messageAttributes": {
                        name: {
                            "stringValue": value.get("StringValue"),
                            "binaryValue": value.get("BinaryValue"),
                            "stringListValues": [],
                            "binaryListValues": [],
                            "dataType": value["DataType"],
                        }
                        for name, value in message.get("MessageAttributes", {}).items()
                    },
                    "md5OfBody": message.get("MD5OfBody")
                    or hashlib.md5(message["Body"].encode()).hexdigest(),  # noqa: S324 - SQS's own checksum
                    "eventSource": "aws:sqs",
                    "eventSourceARN": self.queue_arn,
                    "awsRegion": self.region,
                }
                for message in messages
            ]
        }

    def poll_once(self) -> DrainReport:
        report = DrainReport()
        messages = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=min(self.consumer.batch_size, 10),
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
        ).get("Messages", [])
        if not messages:
            return report
        report.received = len(messages)
        ids = [m["MessageId"] for m in messages]
        try:
            result = self.runner.invoke(self.consumer.handler, self.event(messages))
        except Exception as exc:  # noqa: BLE001 - a function error: every message comes back later
            log.warning("consumer %s raised %s: %s", self.consumer.name, type(exc).__name__, exc)
            report.failed = ids
            return report
        failures = (result or {}).get("batchItemFailures") if isinstance(result, dict) else None
        failed = {item.get("itemIdentifier") for item in failures or [] if isinstance(item, dict)}
        if failed - set(ids):
            log.warning(
                "consumer %s: invalid batchItemFailures, the whole batch is retried", self.consumer.name
            )
            report.failed = ids
            return report
        done = [m for m in messages if m["MessageId"] not in failed]
        report.failed = [i for i in ids if i in failed]
        if done:
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(done)],
            )
        report.deleted = len(done)
        return report

    def run(self, stop: threading.Event, idle_seconds: float = 0.5) -> None:
        poll_until_stopped(
            f"queue poller {self.consumer.name}", lambda: self.poll_once().received, stop, idle_seconds
        )

"""Drains the webhook queue: one message = one delivery attempt, signed per Standard Webhooks.

A failed attempt delays its message (exponential backoff, by changing its visibility timeout)
and reports it as a batch item failure; after the queue's maxReceiveCount SQS moves it to the
dead-letter queue.
"""

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from agentgate.consumers import QUEUE_CONSUMERS
from agentgate.platform.aws import client
from agentgate.platform.observability import logger
from agentgate.platform.settings import get_settings
from agentgate.services import webhooks

CONSUMER = next(c for c in QUEUE_CONSUMERS if c.handler == "webhook_worker")
processor = BatchProcessor(event_type=EventType.SQS)


class DeliveryFailed(Exception):
    """This attempt failed; the message comes back after its backoff (or goes to the dead-letter queue)."""


def deliver(record: SQSRecord) -> None:
    message = json.loads(record.body)
    attempt = int(record.attributes.approximate_receive_count or 1)
    result = webhooks.deliver(
        message["tenant_id"],
        message["webhook_id"],
        message["delivery_id"],
        attempt=attempt,
        max_attempts=CONSUMER.max_receive_count,
    )
    if result.delivered:
        return
    # Back after the backoff; after the last attempt at once, so SQS dead-letters it without delay.
    client("sqs").change_message_visibility(
        QueueUrl=get_settings().webhook_queue_url,
        ReceiptHandle=record.receipt_handle,
        VisibilityTimeout=result.retry_in_seconds or 0,
    )
    raise DeliveryFailed(f"delivery {message['delivery_id']} attempt {attempt} failed")


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=deliver, processor=processor, context=context)

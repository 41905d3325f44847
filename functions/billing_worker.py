"""Drains the billing queue: one Stripe event per message, applied once (services.billing_events).

A failure (Stripe or AWS unreachable) is a batch item failure: SQS delivers the message again after
its visibility timeout, and after the queue's maxReceiveCount moves it to the dead-letter queue.
"""

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from agentgate.platform.observability import logger
from agentgate.services import billing_events

processor = BatchProcessor(event_type=EventType.SQS)


def apply(record: SQSRecord) -> None:
    event = json.loads(record.body)
    outcome = billing_events.apply(event)
    logger.info(
        "stripe event processed",
        extra={"stripe_event_id": event["event_id"], "tenant_id": event["tenant_id"], "outcome": outcome},
    )


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=apply, processor=processor, context=context)

"""Domain events: recorded for the tenant and fanned out to its webhook subscriptions.

``emit`` is what other areas call (``agent.paused``, ``budget.threshold_crossed``, ...): it
stores the event (30 days) and, for each active subscription to its type, writes a pending
delivery and puts one message on the webhook queue; the webhook worker signs and sends it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from agentgate.data.ids import ordered_id
from agentgate.data.tenant import system_data
from agentgate.models import DomainEventItem, WebhookDeliveryItem, WebhookItem
from agentgate.platform.aws import client
from agentgate.platform.observability import logger
from agentgate.platform.settings import get_settings
from agentgate.schemas.webhooks import EVENT_TYPES

EVENT_RETENTION = timedelta(days=30)


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def subscriptions(tenant_id: str, event_type: str) -> list[WebhookItem]:
    hooks = system_data(tenant_id).query(WebhookItem, sk_prefix=WebhookItem.SK_PREFIX)
    return [hook for hook in hooks if hook.status == "active" and event_type in hook.events]


def envelope(event_type: str, event_id: str, occurred_at: str, data: dict[str, Any]) -> dict[str, Any]:
    """The webhook payload: Standard Webhooks' recommended ``{type, timestamp, data}`` plus the id."""
    return {"id": event_id, "type": event_type, "timestamp": occurred_at, "data": data}


def enqueue_delivery(tenant_id: str, hook: WebhookItem, payload: dict[str, Any]) -> WebhookDeliveryItem:
    delivery_id = ordered_id("dlv")
    now = datetime.now(UTC)
    data = system_data(tenant_id)
    delivery = data.new(
        WebhookDeliveryItem,
        WebhookDeliveryItem.sk_for(hook.webhook_id, delivery_id),
        webhook_id=hook.webhook_id,
        delivery_id=delivery_id,
        event_id=payload["id"],
        event_type=payload["type"],
        payload=payload,
        status="pending",
        attempts=[],
        created_at=now,
    )
    data.put(delivery)
    message = {"tenant_id": tenant_id, "webhook_id": hook.webhook_id, "delivery_id": delivery_id}
    client("sqs").send_message(QueueUrl=get_settings().webhook_queue_url, MessageBody=json.dumps(message))
    return delivery


def emit(tenant_id: str, event_type: str, data: dict[str, Any]) -> None:
    """Record a domain event and enqueue one delivery per matching subscription."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    now = datetime.now(UTC)
    event_id = ordered_id("evt")
    occurred_at = rfc3339(now)
    plain = json.loads(json.dumps(data, default=str))
    store = system_data(tenant_id)
    event = store.new(
        DomainEventItem,
        DomainEventItem.sk_for(occurred_at, event_id),
        event_id=event_id,
        type=event_type,
        data=plain,
        occurred_at=occurred_at,
        expires_at=now + EVENT_RETENTION,
    )
    store.put(event)
    payload = envelope(event_type, event_id, occurred_at, plain)
    hooks = subscriptions(tenant_id, event_type)
    for hook in hooks:
        enqueue_delivery(tenant_id, hook, payload)
    logger.info(
        "event emitted", extra={"event_type": event_type, "event_id": event_id, "deliveries": len(hooks)}
    )

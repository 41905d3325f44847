"""Domain events: recorded for the tenant and fanned out to its webhook subscriptions.

``emit`` is what other areas call (``agent.paused``, ``budget.threshold_crossed``, ...): it
stores the event (30 days) and, for each active subscription to its type, writes a pending
delivery and puts one message on the webhook queue; the webhook worker signs and sends it.
"""

from __future__ import annotations

import json
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from agentgate.models import DomainEventItem, WebhookDeliveryItem, WebhookItem, tenant_pk
from agentgate.platform.aws import client
from agentgate.platform.observability import logger
from agentgate.platform.settings import get_settings
from agentgate.schemas.webhooks import EVENT_TYPES

EVENT_RETENTION = timedelta(days=30)


def ordered_id(prefix: str) -> str:
    """``<prefix>_<ms since epoch, hex><random>``: sorts by creation time, unguessable."""
    return f"{prefix}_{time.time_ns() // 1_000_000:011x}{secrets.token_hex(8)}"


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def subscriptions(tenant_id: str, event_type: str) -> list[WebhookItem]:
    hooks = WebhookItem.query(tenant_pk(tenant_id), WebhookItem.sk.startswith("WEBHOOK#"))
    return [hook for hook in hooks if hook.status == "active" and event_type in hook.events]


def envelope(event_type: str, event_id: str, occurred_at: str, data: dict[str, Any]) -> dict[str, Any]:
    """The webhook payload: Standard Webhooks' recommended ``{type, timestamp, data}`` plus the id."""
    return {"id": event_id, "type": event_type, "timestamp": occurred_at, "data": data}


def enqueue_delivery(tenant_id: str, hook: WebhookItem, payload: dict[str, Any]) -> WebhookDeliveryItem:
    delivery_id = ordered_id("dlv")
    now = datetime.now(UTC)
    delivery = WebhookDeliveryItem(
        tenant_pk(tenant_id),
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
    delivery.save()
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
    DomainEventItem(
        tenant_pk(tenant_id),
        DomainEventItem.sk_for(occurred_at, event_id),
        event_id=event_id,
        type=event_type,
        data=plain,
        occurred_at=occurred_at,
        expires_at=now + EVENT_RETENTION,
    ).save()
    payload = envelope(event_type, event_id, occurred_at, plain)
    hooks = subscriptions(tenant_id, event_type)
    for hook in hooks:
        enqueue_delivery(tenant_id, hook, payload)
    logger.info(
        "event emitted", extra={"event_type": event_type, "event_id": event_id, "deliveries": len(hooks)}
    )

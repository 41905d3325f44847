"""Outbound webhook subscriptions and their delivery (Standard Webhooks).

Secrets (``whsec_`` + base64 of 32 random bytes) are shown once, at creation, and stored
as-is: signing needs the key itself, and the table is encrypted at rest. Each attempt is
logged on its delivery item; a failed attempt is retried with exponential backoff (the
worker delays the message by changing its visibility) until the queue's maxReceiveCount
moves it to the dead-letter queue. The URL is checked at registration and at each attempt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from agentgate import net
from agentgate.data.ids import ordered_id
from agentgate.data.tenant import TenantData, system_data, tenant_data
from agentgate.models import WebhookDeliveryItem, WebhookItem
from agentgate.platform.errors import BadRequest
from agentgate.platform.observability import logger
from agentgate.platform.tenancy import TenantContext
from agentgate.schemas.common import PageQuery
from agentgate.schemas.webhooks import (
    DeliveryQuery,
    Webhook,
    WebhookCreate,
    WebhookCreated,
    WebhookDelivery,
    WebhookDeliveryPage,
    WebhookPage,
)
from agentgate.services import events

SECRET_PREFIX = "whsec_"
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 6 * 3600
REQUEST_TIMEOUT_SECONDS = 10.0
USER_AGENT = "AgentGate-Webhooks/1"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>``, the key being the secret's bytes."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def backoff_seconds(attempt: int) -> int:
    """Delay after the ``attempt``-th failure: 30 s, 60 s, 120 s, ... capped at 6 hours."""
    return int(min(BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0), BACKOFF_MAX_SECONDS))


def check_url(url: str) -> None:
    try:
        net.resolve(url)
    except net.UnsafeURL as exc:
        raise BadRequest(
            f"url: {exc}",
            code="unsafe_url",
            details=[{"field": "url", "issue": "unsafe_url", "message": str(exc)}],
        ) from None


def _out(hook: WebhookItem) -> Webhook:
    return Webhook(
        id=hook.webhook_id,
        url=hook.url,
        events=[str(event) for event in hook.events],
        description=hook.description,
        status=hook.status,
        created_at=hook.created_at,
    )


def _load(ctx: TenantContext, webhook_id: str) -> WebhookItem:
    return tenant_data(ctx).get(WebhookItem, WebhookItem.sk_for(webhook_id), missing="No such webhook.")


def create_webhook(ctx: TenantContext, request: WebhookCreate) -> WebhookCreated:
    check_url(request.url)
    data = tenant_data(ctx)
    webhook_id = ordered_id("whk")
    hook = data.new(
        WebhookItem,
        WebhookItem.sk_for(webhook_id),
        webhook_id=webhook_id,
        url=request.url,
        events=list(request.events),
        secret=new_secret(),
        description=request.description,
        status="active",
        created_at=datetime.now(UTC),
        created_by=data.actor,
    )
    data.record(
        lambda: data.put(hook, WebhookItem.pk.does_not_exist()),
        action="webhook.created",
        target=f"webhook:{hook.webhook_id}",
        details={"url": hook.url, "events": hook.events},
    )
    return WebhookCreated(**_out(hook).model_dump(), secret=hook.secret)


def list_webhooks(ctx: TenantContext, query: PageQuery) -> WebhookPage:
    page = tenant_data(ctx).page(
        WebhookItem, sk_prefix=WebhookItem.SK_PREFIX, limit=query.limit, cursor=query.cursor
    )
    return WebhookPage(items=[_out(hook) for hook in page.items], next_cursor=page.next_cursor)


def delete_webhook(ctx: TenantContext, webhook_id: str) -> None:
    hook = _load(ctx, webhook_id)
    data = tenant_data(ctx)
    data.record(
        lambda: data.delete(hook),
        action="webhook.deleted",
        target=f"webhook:{webhook_id}",
        details={"url": hook.url},
    )


def _delivery_out(item: WebhookDeliveryItem) -> WebhookDelivery:
    return WebhookDelivery(
        id=item.delivery_id,
        webhook_id=item.webhook_id,
        event_id=item.event_id,
        event_type=item.event_type,
        status=item.status,  # type: ignore[arg-type]
        attempts=item.attempts,
        created_at=item.created_at,
        delivered_at=item.delivered_at,
    )


def list_deliveries(ctx: TenantContext, webhook_id: str, query: DeliveryQuery) -> WebhookDeliveryPage:
    _load(ctx, webhook_id)
    page = tenant_data(ctx).page(
        WebhookDeliveryItem,
        sk_prefix=WebhookDeliveryItem.prefix_for(webhook_id),
        newest_first=True,
        limit=query.limit,
        cursor=query.cursor,
    )
    return WebhookDeliveryPage(
        items=[_delivery_out(item) for item in page.items], next_cursor=page.next_cursor
    )


def send_test(ctx: TenantContext, webhook_id: str) -> WebhookDelivery:
    """Enqueue a ``webhook.test`` event to this subscription only (whatever its event types)."""
    hook = _load(ctx, webhook_id)
    now = datetime.now(UTC)
    event_id = ordered_id("evt")
    data = {"webhook_id": webhook_id, "message": "A test delivery from AgentGate."}
    payload = events.envelope("webhook.test", event_id, events.rfc3339(now), data)
    return _delivery_out(events.enqueue_delivery(ctx.tenant_id, hook, payload))


@dataclass(frozen=True)
class AttemptResult:
    delivered: bool
    retry_in_seconds: int | None = None  # None with delivered False: given up (dead-letter queue next)


def deliver(
    tenant_id: str, webhook_id: str, delivery_id: str, *, attempt: int, max_attempts: int
) -> AttemptResult:
    """One attempt of one delivery; ``attempt`` counts from 1 (the message's receive count)."""
    data = system_data(tenant_id)
    delivery = data.find(WebhookDeliveryItem, WebhookDeliveryItem.sk_for(webhook_id, delivery_id))
    if delivery is None:
        logger.warning("delivery not found", extra={"delivery_id": delivery_id})
        return AttemptResult(delivered=True)  # nothing left to do: the message is done
    if delivery.status in {"delivered", "failed"}:
        return AttemptResult(delivered=delivery.status == "delivered")  # a duplicate message
    hook = data.find(WebhookItem, WebhookItem.sk_for(webhook_id))
    if hook is None:
        _record(
            data,
            delivery,
            attempt,
            error="the subscription was deleted",
            status="failed",
            started=time.monotonic(),
        )
        return AttemptResult(delivered=True)
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    started = time.monotonic()
    status_code: int | None = None
    error: str | None = None
    try:
        target = net.resolve(hook.url)
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "webhook-id": delivery.event_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(hook.secret, delivery.event_id, timestamp, body),
        }
        status_code = net.post(target, body, headers, timeout=REQUEST_TIMEOUT_SECONDS).status
        if not 200 <= status_code < 300:
            error = f"the receiver answered {status_code}"
    except net.UnsafeURL as exc:
        error = f"refused: {exc}"
    except OSError as exc:  # connection refused, reset, timed out, TLS failure
        error = f"{type(exc).__name__}: {exc}"
    if error is None:
        _record(data, delivery, attempt, status_code=status_code, status="delivered", started=started)
        return AttemptResult(delivered=True)
    if attempt >= max_attempts:
        _record(
            data, delivery, attempt, status_code=status_code, error=error, status="failed", started=started
        )
        return AttemptResult(delivered=False)
    delay = backoff_seconds(attempt)
    _record(
        data,
        delivery,
        attempt,
        status_code=status_code,
        error=error,
        status="retrying",
        started=started,
        retry=delay,
    )
    return AttemptResult(delivered=False, retry_in_seconds=delay)


def _record(
    data: TenantData,
    delivery: WebhookDeliveryItem,
    attempt: int,
    *,
    status: str,
    started: float,
    status_code: int | None = None,
    error: str | None = None,
    retry: int | None = None,
) -> None:
    now = datetime.now(UTC)
    entry = {
        "attempt": attempt,
        "at": events.rfc3339(now),
        "status_code": status_code,
        "error": error,
        "duration_ms": int((time.monotonic() - started) * 1000),
        "next_retry_in_seconds": retry,
    }
    delivery.attempts = [*delivery.attempts, entry]
    delivery.status = status
    if status == "delivered":
        delivery.delivered_at = now
    data.put(delivery)
    log = logger.info if status == "delivered" else logger.warning
    log(
        "webhook attempt",
        extra={
            "delivery_id": delivery.delivery_id,
            "webhook_id": delivery.webhook_id,
            **entry,
            "status": status,
        },
    )

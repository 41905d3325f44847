"""Outbound webhooks: subscriptions, their deliveries and each attempt."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, get_args

from pydantic import Field

from agentgate.schemas.common import SORTED_UNIQUE, PageQuery, RequestModel, ResponseModel

EventType = Literal[
    "agent.paused",
    "agent.resumed",
    "budget.threshold_crossed",
    "approval.requested",
    "approval.escalated",
    "approval.decided",
    "emergency.paused",
    "emergency.resumed",
    "webhook.test",
    "tenant.tier_changed",
]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)
DeliveryStatus = Literal["pending", "retrying", "delivered", "failed"]


class WebhookCreate(RequestModel):
    url: str = Field(min_length=8, max_length=2048)
    events: Annotated[list[EventType], SORTED_UNIQUE] = Field(min_length=1, max_length=len(EVENT_TYPES))
    description: str = Field(default="", max_length=512)


class Webhook(ResponseModel):
    id: str
    url: str
    events: list[str]
    description: str
    status: str
    created_at: datetime


class WebhookCreated(Webhook):
    secret: str = Field(description="whsec_ signing secret: shown once, here")


class WebhookPage(ResponseModel):
    items: list[Webhook]
    next_cursor: str | None = None


class DeliveryAttempt(ResponseModel):
    attempt: int
    at: datetime
    status_code: int | None = None
    error: str | None = None
    duration_ms: int
    next_retry_in_seconds: int | None = None


class WebhookDelivery(ResponseModel):
    id: str
    webhook_id: str
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempts: list[DeliveryAttempt]
    created_at: datetime
    delivered_at: datetime | None = None


class WebhookDeliveryPage(ResponseModel):
    items: list[WebhookDelivery]
    next_cursor: str | None = None


class DeliveryQuery(PageQuery):
    pass

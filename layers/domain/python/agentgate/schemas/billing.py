"""Billing: the subscription's state, Stripe Checkout and the customer portal, the webhook's answer."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from agentgate.schemas.common import RequestModel, ResponseModel

SubscriptionStatus = Literal["none", "active", "past_due", "canceled"]


class Subscription(ResponseModel):
    tier: str = Field(description="The tier the tenant is on now")
    status: SubscriptionStatus = Field(
        description="none: never subscribed; past_due: a payment failed, access stays; "
        "canceled: ended, back on free"
    )
    current_period_end: datetime | None = None
    cancel_at_period_end: bool = False
    stripe_customer_id: str | None = None
    stripe_subscription_id: str | None = None


class CheckoutRequest(RequestModel):
    tier: Literal["pro", "enterprise"] = Field(description="The paid tier to upgrade to")


class CheckoutSession(ResponseModel):
    url: str = Field(description="Stripe Checkout's page: send the person there to pay")
    session_id: str


class PortalSession(ResponseModel):
    url: str = Field(description="Stripe's customer portal: payment method, invoices, cancel")


class WebhookReceipt(ResponseModel):
    received: bool = True
    duplicate: bool = Field(default=False, description="This event id was received before: no effect")
    ignored: bool = Field(
        default=False, description="An event type that is not handled, or for no known tenant"
    )

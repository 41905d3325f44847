"""Billing tests: the Stripe emulator in process, events signed with the stripe SDK's own helpers."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import stripe

from agentgate.consumers import QUEUE_CONSUMERS
from agentgate.platform.aws import reset_clients
from agentgate.platform.settings import reset_settings
from agentgate.services import stripe_api
from infra.local.handlers import FunctionRunner
from infra.local.queues import QueuePoller
from infra.local.stripe_emulator import LOCAL_METERS, StripeEmulator, local_price_ids
from tests.support.api import Reply, call

WEBHOOK_SECRET = "whsec_" + "test" * 8
API_KEY = "sk_test_" + "billing" * 4
BILLING = next(c for c in QUEUE_CONSUMERS if c.name == "billing")


class Clock:
    """The emulator's clock: events' ``created`` move only when a test moves it."""

    def __init__(self) -> None:
        self.now = float(int(time.time()))

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def post_event(payload: str, signature: str | None) -> Reply:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return call("POST", "/webhooks/stripe", raw_body=payload, headers=headers)


def signed_post(
    event: dict[str, Any], *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None
) -> Reply:
    """Deliver an event as Stripe does, signed by the stripe SDK (not by the project's code)."""
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)
    return post_event(payload, header)


def deliver_to_handler(body: bytes, headers: dict[str, str]) -> int:
    return post_event(body.decode(), headers.get("Stripe-Signature")).status


def stripe_event(event_type: str, obj: dict[str, Any], *, created: int | None = None) -> dict[str, Any]:
    return {
        "id": "evt_" + secrets.token_hex(12),
        "object": "event",
        "api_version": "2025-06-30.basil",
        "created": created or int(time.time()),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


@pytest.fixture
def emulator(aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[StripeEmulator]:
    """The emulator on a free loopback port; its events reach the webhook handler in process."""
    from agentgate.tiers import TIERS

    prices = {price: int(TIERS[tier].price_usd_month * 100) for tier, price in local_price_ids().items()}
    emu = StripeEmulator(
        webhook_secret=WEBHOOK_SECRET,
        prices=prices,
        api_key=API_KEY,
        deliver=deliver_to_handler,
        clock=Clock(),
    )
    emu.start()
    for name, value in {
        "STRIPE_API_BASE": emu.url,
        "STRIPE_API_KEY": API_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_PRICE_IDS": ",".join(f"{t}={p}" for t, p in local_price_ids().items()),
        **LOCAL_METERS,
    }.items():
        monkeypatch.setenv(name, value)
    reset_settings()
    reset_clients()
    stripe_api.reset_clients()
    yield emu
    emu.stop()
    stripe_api.reset_clients()


def drain_billing(rounds: int = 20) -> int:
    """Run the billing worker over the queue until it is empty; returns the messages processed."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.get_queue_url(QueueName="agentgate-billing")["QueueUrl"]
    poller = QueuePoller(BILLING, queue_url=url, sqs=sqs, runner=FunctionRunner(), region="us-east-1")
    processed = 0
    for _ in range(rounds):
        report = poller.poll_once()
        if report.received == 0:
            return processed
        processed += report.deleted
    return processed

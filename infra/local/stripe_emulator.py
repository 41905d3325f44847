"""A local Stripe for the local stack and the tests: the API calls AgentGate makes, and test mode's pages.

It answers, with Stripe's JSON shapes and error format, what the stripe SDK sends for customers,
Checkout Sessions, billing portal sessions, subscriptions (retrieve, list) and billing meter
events, form-encoded as Stripe takes them, with ``Idempotency-Key`` honoured. A Checkout
Session's ``url`` serves a small page whose Pay button POSTs to that same URL: that completes the
session, creates the subscription and sends ``checkout.session.completed``,
``customer.subscription.created`` and ``invoice.payment_succeeded``, signed as Stripe signs
(``t=<ts>,v1=HMAC-SHA256(secret, "<ts>.<body>")``), to the stack's ``/webhooks/stripe``. The
billing portal's page cancels (at period end), ends the period (as a test clock would), or
fails the next payment. Loopback only, for local use and tests; in AWS the real Stripe is used.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Any

import requests

from infra.local.stripe_http import StripeError, handler_for, missing, public
from infra.local.stripe_objects import StripeApi, StripeState

log = logging.getLogger("infra.local.stripe")

API_VERSION = "2025-06-30.basil"
PERIOD_SECONDS = 30 * 24 * 3600
DELIVERY_ATTEMPTS = 3
DELIVERY_TIMEOUT_SECONDS = 30

Clock = Callable[[], float]
# (body, headers) -> HTTP status: how a signed event reaches the webhook (tests call the handler).
Deliver = Callable[[bytes, dict[str, str]], int]


def sign(payload: str, secret: str, timestamp: int) -> str:
    signature = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


@dataclass
class Delivery:
    event_id: str
    type: str
    status: int | None
    attempts: int


class StripeEmulator(StripeApi):
    def __init__(
        self,
        *,
        webhook_secret: str,
        prices: dict[str, int],  # price id -> unit amount in cents (a month)
        api_key: str | None = None,  # when set, requests with another key get Stripe's 401
        webhook_url: str | None = None,
        deliver: Deliver | None = None,
        auto_deliver: bool = True,  # False: events wait in ``outbox`` for ``deliver_event``
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Clock = time.time,
    ) -> None:
        self.webhook_secret = webhook_secret
        self.api_key = api_key
        self.webhook_url = webhook_url
        self._deliver = deliver
        self.auto_deliver = auto_deliver
        self.clock = clock
        self.state = StripeState()
        self.outbox: list[dict[str, Any]] = []
        self.deliveries: list[Delivery] = []
        self.lock = threading.RLock()
        for price_id, amount in prices.items():
            self.state.prices[price_id] = {
                "id": price_id,
                "object": "price",
                "active": True,
                "currency": "usd",
                "unit_amount": amount,
                "recurring": {"interval": "month", "interval_count": 1},
                "type": "recurring",
                "product": "prod_" + hashlib.sha256(price_id.encode()).hexdigest()[:14],
                "livemode": False,
            }
        self.server = ThreadingHTTPServer((host, port), handler_for(self))
        self.server.daemon_threads = True
        self.url = f"http://{host}:{self.server.server_address[1]}"
        self._thread: threading.Thread | None = None

    # --- life cycle -------------------------------------------------------------------------------

    def start(self) -> str:
        self._thread = threading.Thread(target=self.server.serve_forever, name="stripe-emulator", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- test mode: paying, cancelling, failing ---------------------------------------------------

    def _invoice(self, subscription: dict[str, Any], *, paid: bool, reason: str) -> dict[str, Any]:
        amount = sum(i["price"]["unit_amount"] * i["quantity"] for i in subscription["items"]["data"])
        invoice = {
            "id": self.new_id("in"),
            "object": "invoice",
            "customer": subscription["customer"],
            "subscription": subscription["id"],
            "parent": {
                "type": "subscription_details",
                "subscription_details": {
                    "subscription": subscription["id"],
                    "metadata": subscription["metadata"],
                },
            },
            "status": "paid" if paid else "open",
            "amount_due": amount,
            "amount_paid": amount if paid else 0,
            "currency": "usd",
            "created": self.now(),
            "billing_reason": reason,
            "attempt_count": 1,
            "period_start": subscription["current_period_start"],
            "period_end": subscription["current_period_end"],
            "livemode": False,
        }
        self.state.invoices[invoice["id"]] = invoice
        subscription["latest_invoice"] = invoice["id"]
        return invoice

    def _set_period(self, subscription: dict[str, Any], start: int) -> None:
        subscription["current_period_start"], subscription["current_period_end"] = (
            start,
            start + PERIOD_SECONDS,
        )
        for item in subscription["items"]["data"]:
            item["current_period_start"], item["current_period_end"] = start, start + PERIOD_SECONDS

    def pay_checkout(self, session_id: str) -> dict[str, Any]:
        """The Pay button: complete the session, start the subscription, send the three events."""
        with self.lock:
            session = self.checkout_session(session_id)
            if session["status"] != "open":
                return session
            sub_id = self.new_id("sub")
            items = [
                {
                    "id": self.new_id("si"),
                    "object": "subscription_item",
                    "subscription": sub_id,
                    "price": self.state.prices[i["price"]],
                    "quantity": int(i.get("quantity", 1)),
                }
                for i in session["_line_items"]
            ]
            metadata = session["_subscription_data"].get("metadata") or {}
            subscription: dict[str, Any] = {
                "id": sub_id,
                "object": "subscription",
                "customer": session["customer"],
                "status": "active",
                "items": {
                    "object": "list",
                    "data": items,
                    "has_more": False,
                    "url": f"/v1/subscription_items?subscription={sub_id}",
                },
                "metadata": metadata,
                "cancel_at_period_end": False,
                "cancel_at": None,
                "canceled_at": None,
                "ended_at": None,
                "created": self.now(),
                "start_date": self.now(),
                "livemode": False,
                "collection_method": "charge_automatically",
                "currency": "usd",
                "latest_invoice": None,
            }
            self._set_period(subscription, self.now())
            self.state.subscriptions[sub_id] = subscription
            invoice = self._invoice(subscription, paid=True, reason="subscription_create")
            session.update(status="complete", payment_status="paid", subscription=sub_id)
            events = [
                self._event("checkout.session.completed", session),
                self._event("customer.subscription.created", subscription),
                self._event("invoice.payment_succeeded", invoice),
            ]
        self._send(events)
        return session

    def portal_action(self, session_id: str, subscription_id: str, action: str) -> list[dict[str, Any]]:
        """A button of the portal page: cancel, resume, end_period, fail_payment."""
        with self.lock:
            session = self.state.portal_sessions.get(session_id)
            if session is None:
                raise missing("billing_portal.session", session_id)
            subscription = self.subscription(subscription_id)
            if subscription["customer"] != session["customer"]:
                raise missing("subscription", subscription_id, "subscription")
            if subscription["status"] == "canceled":
                raise StripeError(400, "The subscription is canceled.", code="subscription_canceled")
            events = self._apply_action(subscription, action)
        self._send(events)
        return events

    def _apply_action(self, subscription: dict[str, Any], action: str) -> list[dict[str, Any]]:
        previous = {k: subscription[k] for k in ("status", "cancel_at_period_end", "current_period_end")}
        if action in ("cancel", "resume"):
            cancelling = action == "cancel"
            subscription["cancel_at_period_end"] = cancelling
            subscription["cancel_at"] = subscription["current_period_end"] if cancelling else None
            subscription["canceled_at"] = self.now() if cancelling else None
            return [self._event("customer.subscription.updated", subscription, previous)]
        if action == "end_period":
            if subscription["cancel_at_period_end"]:
                subscription.update(status="canceled", ended_at=self.now(), cancel_at_period_end=False)
                return [self._event("customer.subscription.deleted", subscription)]
            self._set_period(subscription, subscription["current_period_end"])
            subscription["status"] = "active"
            invoice = self._invoice(subscription, paid=True, reason="subscription_cycle")
            return [
                self._event("invoice.payment_succeeded", invoice),
                self._event("customer.subscription.updated", subscription, previous),
            ]
        if action == "fail_payment":
            subscription["status"] = "past_due"
            invoice = self._invoice(subscription, paid=False, reason="subscription_cycle")
            return [
                self._event("invoice.payment_failed", invoice),
                self._event("customer.subscription.updated", subscription, previous),
            ]
        raise StripeError(400, f"Unknown action {action!r}.", param="action")

    # --- events -----------------------------------------------------------------------------------

    def _event(
        self, event_type: str, obj: dict[str, Any], previous: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        data: dict[str, Any] = {"object": public(obj)}
        if previous is not None:
            data["previous_attributes"] = {k: v for k, v in previous.items() if obj.get(k) != v}
        event = {
            "id": self.new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": self.now(),
            "data": data,
            "livemode": False,
            "pending_webhooks": 1,
            "type": event_type,
            "request": {"id": None, "idempotency_key": None},
        }
        self.state.events.append(event)
        return event

    def _send(self, events: list[dict[str, Any]]) -> None:
        if not self.auto_deliver:
            self.outbox.extend(events)
            return
        for event in events:
            self.deliver_event(event)

    def signed(self, event: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
        payload = json.dumps(event, indent=2)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": sign(payload, self.webhook_secret, int(time.time())),
        }
        return payload.encode(), headers

    def deliver_event(self, event: dict[str, Any]) -> int | None:
        """Send one event, signed now, retrying failures; the last status (None: unreachable)."""
        status: int | None = None
        for attempt in range(1, DELIVERY_ATTEMPTS + 1):
            body, headers = self.signed(event)
            try:
                status = self._post(body, headers)
            except requests.RequestException as exc:
                log.warning("stripe event %s not delivered: %s", event["id"], exc)
                status = None
            if status is not None and 200 <= status < 300:
                break
            time.sleep(0.2 * attempt)
        self.deliveries.append(Delivery(event["id"], event["type"], status, attempt))
        log.info("stripe event %s %s -> %s", event["type"], event["id"], status)
        return status

    def _post(self, body: bytes, headers: dict[str, str]) -> int:
        if self._deliver is not None:
            return self._deliver(body, headers)
        if not self.webhook_url:
            raise requests.ConnectionError("no webhook URL")
        return requests.post(
            self.webhook_url, data=body, headers=headers, timeout=DELIVERY_TIMEOUT_SECONDS
        ).status_code


# --- the local stack's emulator -------------------------------------------------------------------

LOCAL_METERS = {"STRIPE_METER_API_CALLS": "agentgate_api_calls", "STRIPE_METER_RUNS": "agentgate_runs"}


def local_price_ids() -> dict[str, str]:
    """One Stripe price per paid tier, named after it."""
    from agentgate.tiers import TIER_ORDER, TIERS

    return {tier: f"price_agentgate_{tier}" for tier in TIER_ORDER if TIERS[tier].price_usd_month > 0}


def local_emulator(host: str, port: int, webhook_secret: str) -> tuple[StripeEmulator, dict[str, str]]:
    """The emulator for ``make dev`` (not started) and the settings that point the stripe SDK at it."""
    from agentgate.tiers import TIERS

    api_key = "sk_test_emulator_" + secrets.token_hex(12)
    prices = {price: int(TIERS[tier].price_usd_month * 100) for tier, price in local_price_ids().items()}
    emulator = StripeEmulator(
        webhook_secret=webhook_secret, prices=prices, api_key=api_key, host=host, port=port
    )
    env = {
        "STRIPE_API_BASE": emulator.url,
        "STRIPE_API_KEY": api_key,
        "STRIPE_PRICE_IDS": ",".join(f"{tier}={price}" for tier, price in local_price_ids().items()),
        **LOCAL_METERS,
    }
    return emulator, env

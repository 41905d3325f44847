"""The Stripe API objects the emulator keeps and the calls that create and read them.

Each call takes the decoded form (or the id in the path) and answers the object as Stripe shapes
it, or raises ``StripeError`` with Stripe's error body (``resource_missing``, ``parameter_missing``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from infra.local.stripe_http import StripeError, missing


@dataclass
class StripeState:
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    prices: dict[str, dict[str, Any]] = field(default_factory=dict)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    portal_sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    invoices: dict[str, dict[str, Any]] = field(default_factory=dict)
    meter_events: dict[str, dict[str, Any]] = field(default_factory=dict)  # by identifier
    events: list[dict[str, Any]] = field(default_factory=list)
    idempotent: dict[tuple[str, str], tuple[int, dict[str, Any]]] = field(default_factory=dict)


class StripeApi:
    """Customers, Checkout Sessions, billing portal sessions, subscriptions and meter events."""

    state: StripeState
    url: str
    clock: Callable[[], float]

    def now(self) -> int:
        return int(self.clock())

    @staticmethod
    def new_id(prefix: str) -> str:
        return f"{prefix}_{secrets.token_hex(12)}"

    # --- the API ----------------------------------------------------------------------------------

    def create_customer(self, params: dict[str, Any]) -> dict[str, Any]:
        customer = {
            "id": self.new_id("cus"),
            "object": "customer",
            "created": self.now(),
            "livemode": False,
            "name": params.get("name"),
            "email": params.get("email"),
            "description": params.get("description"),
            "metadata": params.get("metadata") or {},
            "balance": 0,
            "currency": None,
            "delinquent": False,
        }
        self.state.customers[customer["id"]] = customer
        return customer

    def customer(self, customer_id: str, param: str = "id") -> dict[str, Any]:
        found = self.state.customers.get(customer_id)
        if found is None:
            raise missing("customer", customer_id, param)
        return found

    def create_checkout_session(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("mode") != "subscription":
            raise StripeError(400, "This emulator supports mode=subscription only.", param="mode")
        customer = self.customer(str(params.get("customer", "")), "customer")
        items = params.get("line_items") or []
        if not items:
            raise StripeError(
                400, "Missing required param: line_items.", code="parameter_missing", param="line_items"
            )
        for index, item in enumerate(items):
            if item.get("price") not in self.state.prices:
                raise missing("price", str(item.get("price")), f"line_items[{index}][price]")
        for url_param in ("success_url", "cancel_url"):
            if not params.get(url_param):
                raise StripeError(
                    400, f"Missing required param: {url_param}.", code="parameter_missing", param=url_param
                )
        session_id = "cs_test_" + secrets.token_hex(16)
        amount = sum(self.state.prices[i["price"]]["unit_amount"] * int(i.get("quantity", 1)) for i in items)
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": "subscription",
            "status": "open",
            "payment_status": "unpaid",
            "customer": customer["id"],
            "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata") or {},
            "subscription": None,
            "success_url": params["success_url"],
            "cancel_url": params["cancel_url"],
            "url": f"{self.url}/checkout/{session_id}",
            "created": self.now(),
            "expires_at": self.now() + 24 * 3600,
            "livemode": False,
            "currency": "usd",
            "amount_total": amount,
        }
        self.state.sessions[session_id] = session
        self.state.sessions[session_id]["_line_items"] = items
        self.state.sessions[session_id]["_subscription_data"] = params.get("subscription_data") or {}
        return session

    def checkout_session(self, session_id: str) -> dict[str, Any]:
        found = self.state.sessions.get(session_id)
        if found is None:
            raise missing("checkout.session", session_id)
        return found

    def create_portal_session(self, params: dict[str, Any]) -> dict[str, Any]:
        customer = self.customer(str(params.get("customer", "")), "customer")
        session_id = self.new_id("bps")
        session = {
            "id": session_id,
            "object": "billing_portal.session",
            "customer": customer["id"],
            "return_url": params.get("return_url"),
            "url": f"{self.url}/portal/{session_id}",
            "created": self.now(),
            "livemode": False,
            "configuration": "bpc_emulator",
        }
        self.state.portal_sessions[session_id] = session
        return session

    def subscription(self, subscription_id: str) -> dict[str, Any]:
        found = self.state.subscriptions.get(subscription_id)
        if found is None:
            raise missing("subscription", subscription_id)
        return found

    def list_subscriptions(self, query: dict[str, Any]) -> dict[str, Any]:
        wanted = query.get("status")  # Stripe lists all but canceled ones unless told "all" or a status

        def listed(subscription: dict[str, Any]) -> bool:
            if query.get("customer") and subscription["customer"] != query["customer"]:
                return False
            if wanted == "all":
                return True
            return subscription["status"] == wanted if wanted else subscription["status"] != "canceled"

        found = [s for s in self.state.subscriptions.values() if listed(s)]
        found.sort(key=lambda s: -s["created"])
        limit = int(query.get("limit") or 10)
        return {
            "object": "list",
            "url": "/v1/subscriptions",
            "has_more": len(found) > limit,
            "data": found[:limit],
        }

    def create_meter_event(self, params: dict[str, Any]) -> dict[str, Any]:
        for required in ("event_name", "payload"):
            if not params.get(required):
                raise StripeError(
                    400, f"Missing required param: {required}.", code="parameter_missing", param=required
                )
        payload = params["payload"]
        if not payload.get("stripe_customer_id") or payload.get("value") is None:
            raise StripeError(400, "payload needs stripe_customer_id and value.", param="payload")
        self.customer(payload["stripe_customer_id"], "payload[stripe_customer_id]")
        identifier = params.get("identifier") or self.new_id("mev")
        if identifier in self.state.meter_events:  # Stripe refuses a repeat within 24 hours at least
            raise StripeError(
                400,
                f"An event already exists with identifier {identifier}.",
                code="duplicate_meter_event",
                param="identifier",
            )
        event = {
            "object": "billing.meter_event",
            "created": self.now(),
            "event_name": params["event_name"],
            "identifier": identifier,
            "livemode": False,
            "payload": payload,
            "timestamp": int(params.get("timestamp") or self.now()),
        }
        self.state.meter_events[identifier] = event
        return event

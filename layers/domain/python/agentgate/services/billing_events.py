"""Stripe's webhook events: verified and accepted once by the webhook, applied by the billing worker.

The webhook verifies ``Stripe-Signature`` before anything else, names the event's tenant by its
Stripe customer, records the event id once (a TTL item outliving Stripe's three days of
retries) and queues the event: Stripe gets its 200 in milliseconds, and the work (a Stripe read,
the usage plan move, the audit entry, the webhook event) runs in the worker with SQS's retries.

Events arrive out of order and more than once. The billing item keeps the ``created`` of the
newest event applied; an older event changes nothing. An event of the same second, or one that
does not carry the subscription (checkout, invoices), is applied from the subscription as Stripe
has it now. The tier follows the subscription: active or past_due keep the paid tier (a failed
payment leaves access in place; the portal warns), canceled returns the tenant to free.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from agentgate.data.lookups import delete_global, find_global, put_global, update_global
from agentgate.data.principals import sync_lookups
from agentgate.data.tenant import TenantData
from agentgate.data.transactions import ConditionFailed, Transaction
from agentgate.models import BillingItem, StripeCustomerItem, StripeEventItem, TenantItem
from agentgate.platform.aws import client
from agentgate.platform.errors import BadRequest, DependencyUnavailable
from agentgate.platform.observability import logger
from agentgate.platform.settings import get_settings
from agentgate.schemas.billing import WebhookReceipt
from agentgate.services import tier_changes
from agentgate.services.billing import billing_item
from agentgate.services.stripe_api import credentials, stripe_call, stripe_client, tier_for_price
from agentgate.tiers import DEFAULT_TIER, TIERS

SIGNATURE_TOLERANCE_SECONDS = 300
EVENT_RETENTION = timedelta(days=30)  # Stripe retries an event for up to three days
HANDLED = frozenset(
    {
        "checkout.session.completed",
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "invoice.payment_succeeded",
        "invoice.payment_failed",
    }
)
# Stripe's subscription statuses -> ours (API.md: none | active | past_due | canceled).
STATUSES = {
    "active": "active",
    "trialing": "active",
    "past_due": "past_due",
    "unpaid": "past_due",
    "canceled": "canceled",
    "incomplete_expired": "canceled",
    "paused": "canceled",
}
SUBSCRIBED = frozenset({"active", "past_due"})
_MAX_ATTEMPTS = 5
ACTOR = "stripe"  # how the audit log names changes Stripe's events made


# --- the webhook ----------------------------------------------------------------------------------


def _id_of(value: Any) -> str | None:
    """An expandable Stripe field: an id, or the object with its id."""
    if isinstance(value, str) and value:
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def tenant_of(obj: dict[str, Any]) -> str | None:
    """The tenant whose Stripe customer this object belongs to; None for a customer we did not create."""
    customer = _id_of(obj.get("customer"))
    if customer is None:
        return None
    found = find_global(StripeCustomerItem, StripeCustomerItem.pk_for(customer), StripeCustomerItem.SK)
    return found.tenant_id if found is not None else None


def _verified_event(payload: str, signature: str | None) -> dict[str, Any]:
    import stripe

    secret = credentials().webhook_secret
    if not secret:
        raise DependencyUnavailable(
            "Billing is not configured: no webhook secret.", headers={"Retry-After": "60"}
        )
    # The signature check of ``stripe.Webhook.construct_event``; its parsing step is ours, because
    # the SDK's fails with an AttributeError on a signed body that is JSON but not an object.
    try:
        stripe.WebhookSignature.verify_header(
            payload, signature, secret, tolerance=SIGNATURE_TOLERANCE_SECONDS
        )
    except stripe.SignatureVerificationError:
        raise BadRequest(
            "The Stripe-Signature header is missing, stale or does not match the body.",
            code="invalid_signature",
            details=[{"field": "Stripe-Signature", "location": "header", "issue": "invalid_signature"}],
        ) from None
    try:
        event: Any = json.loads(payload)
    except ValueError:
        raise BadRequest("The body is not a Stripe event.", code="malformed_event") from None
    data = event.get("data") if isinstance(event, dict) else None
    if (
        not isinstance(event, dict)
        or not isinstance(event.get("id"), str)
        or not isinstance(event.get("type"), str)
        or not isinstance(event.get("created"), int)
        or not isinstance(data, dict)
        or not isinstance(data.get("object"), dict)
    ):
        raise BadRequest("The body is not a Stripe event.", code="malformed_event")
    return event


def receive(payload: str, signature: str | None) -> WebhookReceipt:
    """Verify, deduplicate and queue one event. Nothing is written for a bad signature or no tenant."""
    event = _verified_event(payload, signature)
    event_id, event_type, obj = event["id"], event["type"], event["data"]["object"]
    log = {"stripe_event_id": event_id, "stripe_event_type": event_type}
    if event_type not in HANDLED:
        logger.info("stripe event ignored: type not handled", extra=log)
        return WebhookReceipt(ignored=True)
    tenant_id = tenant_of(obj)
    if tenant_id is None:
        logger.warning("stripe event ignored: no tenant has its customer", extra=log)
        return WebhookReceipt(ignored=True)
    now = datetime.now(UTC)
    marker = StripeEventItem(
        StripeEventItem.pk_for(event_id),
        StripeEventItem.SK,
        event_id=event_id,
        type=event_type,
        tenant_id=tenant_id,
        created=event["created"],
        status="queued",
        received_at=now,
        expires_at=now + EVENT_RETENTION,
    )
    try:
        put_global(marker, StripeEventItem.pk.does_not_exist())
    except ConditionFailed:
        logger.info("stripe event received again: no effect", extra=log)
        return WebhookReceipt(duplicate=True)
    message = {
        "event_id": event_id,
        "type": event_type,
        "created": event["created"],
        "tenant_id": tenant_id,
        "object": obj,
    }
    try:
        client("sqs").send_message(QueueUrl=get_settings().billing_queue_url, MessageBody=json.dumps(message))
    except (ClientError, BotoCoreError):
        delete_global(marker)  # not queued: Stripe's retry must find the event new
        raise DependencyUnavailable(
            "The billing queue is unavailable.", headers={"Retry-After": "5"}
        ) from None
    logger.info("stripe event queued", extra={**log, "tenant_id": tenant_id})
    return WebhookReceipt()


# --- the worker -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubscriptionState:
    subscription_id: str
    status: str  # ours: none | active | past_due | canceled
    plan_tier: str | None
    current_period_end: datetime | None
    cancel_at_period_end: bool

    def tier(self, current: str) -> str:
        if self.status not in SUBSCRIBED:
            return DEFAULT_TIER
        if self.plan_tier is None:
            logger.error("subscription for no known price", extra={"subscription_id": self.subscription_id})
            return current
        return self.plan_tier


def _timestamp(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if isinstance(value, int | float) and value else None


def state_of(subscription: dict[str, Any]) -> SubscriptionState:
    items = (subscription.get("items") or {}).get("data") or []
    first: dict[str, Any] = items[0] if items else {}
    plan_tier = tier_for_price(_id_of(first.get("price")))
    if plan_tier is None:
        named = (subscription.get("metadata") or {}).get("tier")
        plan_tier = named if named in TIERS and named != DEFAULT_TIER else None
    # Stripe's newer API versions keep the period on the item; older ones on the subscription.
    period_end = first.get("current_period_end") or subscription.get("current_period_end")
    return SubscriptionState(
        subscription_id=str(subscription["id"]),
        status=STATUSES.get(str(subscription.get("status")), "none"),
        plan_tier=plan_tier,
        current_period_end=_timestamp(period_end),
        cancel_at_period_end=bool(subscription.get("cancel_at_period_end")),
    )


def subscription_of(event_type: str, obj: dict[str, Any]) -> str | None:
    if event_type.startswith("customer.subscription."):
        return _id_of(obj.get("id"))
    if event_type.startswith("invoice."):
        parent = ((obj.get("parent") or {}).get("subscription_details") or {}).get("subscription")
        return _id_of(obj.get("subscription")) or _id_of(parent)
    return _id_of(obj.get("subscription"))


def fetch_subscription(subscription_id: str) -> dict[str, Any]:
    with stripe_call("subscriptions.retrieve"):
        subscription = stripe_client().v1.subscriptions.retrieve(subscription_id)
    found: dict[str, Any] = subscription.to_dict()
    return found


def _state_for(event_type: str, obj: dict[str, Any], subscription_id: str, tie: bool) -> SubscriptionState:
    carries_subscription = event_type.startswith("customer.subscription.")
    state = state_of(obj if carries_subscription and not tie else fetch_subscription(subscription_id))
    if event_type == "customer.subscription.deleted":
        return SubscriptionState(
            subscription_id, "canceled", state.plan_tier, state.current_period_end, False
        )
    if event_type == "invoice.payment_failed" and state.status == "active":
        return SubscriptionState(
            subscription_id, "past_due", state.plan_tier, state.current_period_end, state.cancel_at_period_end
        )
    return state


def _mark(event_id: str, status: str) -> None:
    update_global(
        StripeEventItem(StripeEventItem.pk_for(event_id), StripeEventItem.SK),
        [StripeEventItem.status.set(status), StripeEventItem.applied_at.set(datetime.now(UTC))],
    )


def _billing_actions(state: SubscriptionState, event: dict[str, Any], tenant_id: str) -> list[Any]:
    now = datetime.now(UTC)
    actions = [
        BillingItem.tenant_id.set(tenant_id),
        BillingItem.created_at.set(BillingItem.created_at | now),
        BillingItem.stripe_subscription_id.set(state.subscription_id),
        BillingItem.status.set(state.status),
        BillingItem.cancel_at_period_end.set(state.cancel_at_period_end),
        BillingItem.last_event_created.set(event["created"]),
        BillingItem.last_event_id.set(event["event_id"]),
        BillingItem.updated_at.set(now),
    ]
    actions.append(
        BillingItem.plan_tier.set(state.plan_tier) if state.plan_tier else BillingItem.plan_tier.remove()
    )
    actions.append(
        BillingItem.current_period_end.set(state.current_period_end)
        if state.current_period_end
        else BillingItem.current_period_end.remove()
    )
    return actions


def _write_state(
    tx: Transaction, *, data: TenantData, state: SubscriptionState, event: dict[str, Any], old: str, new: str
) -> None:
    """The billing item, unless a newer event got there first; the tier, unless it moved meanwhile."""
    tx.update(
        data.ref(BillingItem, BillingItem.SK),
        _billing_actions(state, event, data.tenant_id),
        BillingItem.last_event_created.does_not_exist()
        | (BillingItem.last_event_created <= event["created"]),
        name="billing",
    )
    if new != old:
        tx.update(
            data.ref(TenantItem, TenantItem.SK),
            [TenantItem.tier.set(new), TenantItem.updated_at.set(datetime.now(UTC))],
            TenantItem.tier == old,
            name="tier",
        )


def _is_stale(event: dict[str, Any], billing: BillingItem | None, subscription_id: str) -> bool:
    if billing is None:
        return False
    if billing.last_event_created is not None and event["created"] < int(billing.last_event_created):
        return True
    # An event of a subscription the tenant has moved on from (it has another one running).
    return bool(
        billing.stripe_subscription_id
        and billing.stripe_subscription_id != subscription_id
        and billing.status in SUBSCRIBED
    )


@dataclass(frozen=True)
class _Applied:
    old: str
    new: str


def _transition(
    tx: Transaction, *, data: TenantData, event: dict[str, Any], subscription_id: str
) -> _Applied | str:
    """Read the tenant's state and write the event's, or answer why it changes nothing."""
    tenant = data.find(TenantItem, TenantItem.SK, consistent=True)
    if tenant is None:
        logger.warning("stripe event for a deleted tenant", extra={"tenant_id": data.tenant_id})
        return "ignored"
    billing = billing_item(data)
    if _is_stale(event, billing, subscription_id):
        logger.info(
            "stripe event older than the state applied: no effect", extra={"event_id": event["event_id"]}
        )
        return "stale"
    last = billing.last_event_created if billing is not None else None
    tie = last is not None and int(last) == event["created"]
    state = _state_for(event["type"], event["object"], subscription_id, tie)
    old, new = tenant.tier, state.tier(tenant.tier)
    _write_state(tx, data=data, state=state, event=event, old=old, new=new)
    return _Applied(old, new)


def apply(event: dict[str, Any]) -> str:
    """Apply one queued event; answers applied, stale or ignored. Raises to be retried."""
    event_id, event_type, tenant_id = event["event_id"], event["type"], event["tenant_id"]
    subscription_id = subscription_of(event_type, event["object"])
    if subscription_id is None:
        _mark(event_id, "ignored")
        return "ignored"
    data = TenantData.acting_for(tenant_id, ACTOR)
    # A failed condition: another event of this tenant moved first, so the state is read again.
    outcome = data.transact(
        partial(_transition, data=data, event=event, subscription_id=subscription_id),
        attempts=_MAX_ATTEMPTS,
        busy_message="Billing state kept changing under this event; retry.",
        retry_conditions=True,
    )
    if isinstance(outcome, str):
        _mark(event_id, outcome)
        return outcome
    old, new = outcome.old, outcome.new
    tier_changes.reconcile_usage_key(data)  # also completes a change whose earlier attempt failed
    # The keys' and members' lookups carry the tier (agentgate.data.principals); rewritten on every
    # event applied, so a retry completes a sync that failed after the tier's transaction.
    sync_lookups(data)
    if new != old:
        tier_changes.record_tier_change(
            data,
            old,
            new,
            reason=event_type,
            details={"stripe_event_id": event_id, "stripe_subscription_id": subscription_id},
        )
    _mark(event_id, "applied")
    return "applied"

"""Billing routes: the subscription's state, Stripe Checkout for an upgrade, Stripe's customer portal.

The tenant's Stripe customer is created once (an idempotency key per tenant makes a retried
creation return the same customer) and recorded with a global lookup, so a webhook event names
its tenant by its customer. Downgrades are not self-service: cancelling in the customer portal
returns the tenant to free at the end of the period it paid for (services.billing_events).
"""

from __future__ import annotations

from datetime import UTC, datetime

from agentgate.data.tenant import TenantData, tenant_data
from agentgate.data.transactions import ConditionFailed, Transaction
from agentgate.models import BillingItem, StripeCustomerItem, TenantItem
from agentgate.platform.errors import Conflict
from agentgate.platform.settings import get_settings
from agentgate.platform.tenancy import TenantContext
from agentgate.schemas.billing import CheckoutRequest, CheckoutSession, PortalSession, Subscription
from agentgate.services.stripe_api import price_id, stripe_call, stripe_client
from agentgate.tiers import TIER_ORDER

SUBSCRIBED = frozenset({"active", "past_due"})


def _now() -> datetime:
    return datetime.now(UTC)


def tenant_item(data: TenantData) -> TenantItem:
    return data.get(TenantItem, TenantItem.SK, missing="No such organisation.", consistent=True)


def billing_item(data: TenantData) -> BillingItem | None:
    return data.find(BillingItem, BillingItem.SK, consistent=True)


def _portal_url(path: str) -> str:
    return get_settings().portal_url.rstrip("/") + path


# --- the subscription -----------------------------------------------------------------------------


def get_subscription(ctx: TenantContext) -> Subscription:
    data = tenant_data(ctx)
    tenant = tenant_item(data)
    billing = billing_item(data)
    if billing is None:
        return Subscription(tier=tenant.tier, status="none")
    return Subscription(
        tier=tenant.tier,
        status=billing.status,  # type: ignore[arg-type]
        current_period_end=billing.current_period_end,
        cancel_at_period_end=bool(billing.cancel_at_period_end),
        stripe_customer_id=billing.stripe_customer_id,
        stripe_subscription_id=billing.stripe_subscription_id,
    )


# --- the customer ---------------------------------------------------------------------------------


def _record_customer(data: TenantData, customer_id: str) -> str:
    """The billing item and the customer lookup, once; a concurrent first checkout keeps the winner's."""
    now = _now()

    def steps(tx: Transaction) -> None:
        tx.update(
            data.ref(BillingItem, BillingItem.SK),
            [
                BillingItem.tenant_id.set(data.tenant_id),
                BillingItem.stripe_customer_id.set(customer_id),
                BillingItem.status.set(BillingItem.status | "none"),
                BillingItem.created_at.set(BillingItem.created_at | now),
                BillingItem.updated_at.set(now),
            ],
            BillingItem.stripe_customer_id.does_not_exist(),
            name="billing",
        )
        tx.put(
            StripeCustomerItem(
                StripeCustomerItem.pk_for(customer_id),
                StripeCustomerItem.SK,
                tenant_id=data.tenant_id,
                customer_id=customer_id,
                created_at=now,
            ),
            StripeCustomerItem.pk.does_not_exist(),
            name="lookup",
        )

    try:
        data.record(
            lambda: data.transact(steps),
            action="billing.customer_created",
            target=f"tenant:{data.tenant_id}",
            details={"stripe_customer_id": customer_id},
        )
    except ConditionFailed:
        existing = billing_item(data)
        if existing is not None and existing.stripe_customer_id:
            return existing.stripe_customer_id
        raise
    return customer_id


def _customer(ctx: TenantContext, data: TenantData, tenant: TenantItem, billing: BillingItem | None) -> str:
    if billing is not None and billing.stripe_customer_id:
        return billing.stripe_customer_id
    params: dict[str, object] = {"name": tenant.name, "metadata": {"tenant_id": ctx.tenant_id}}
    if ctx.principal.email:
        params["email"] = ctx.principal.email
    with stripe_call("customers.create"):
        customer = stripe_client().v1.customers.create(
            params=params,  # type: ignore[arg-type]
            options={"idempotency_key": f"agentgate-customer-{ctx.tenant_id}"},
        )
    return _record_customer(data, customer.id)


# --- checkout and the portal ----------------------------------------------------------------------


def checkout(ctx: TenantContext, request: CheckoutRequest) -> CheckoutSession:
    data = tenant_data(ctx)
    tenant = tenant_item(data)
    if TIER_ORDER.index(request.tier) <= TIER_ORDER.index(tenant.tier):
        raise Conflict(
            f"The tenant is on {tenant.tier}; {request.tier} is not an upgrade. "
            "Downgrades go through support; cancelling in the customer portal returns to free.",
            code="not_an_upgrade",
        )
    billing = billing_item(data)
    if billing is not None and billing.status in SUBSCRIBED and billing.stripe_subscription_id:
        raise Conflict(
            "The tenant has a subscription: change its plan in the customer portal "
            "(POST /api/v1/billing/portal).",
            code="subscription_exists",
        )
    price = price_id(request.tier)
    customer_id = _customer(ctx, data, tenant, billing)
    metadata = {"tenant_id": ctx.tenant_id, "tier": request.tier}
    with stripe_call("checkout.sessions.create"):
        session = stripe_client().v1.checkout.sessions.create(
            params={
                "mode": "subscription",
                "customer": customer_id,
                "client_reference_id": ctx.tenant_id,
                "line_items": [{"price": price, "quantity": 1}],
                "subscription_data": {"metadata": metadata},
                "metadata": metadata,
                "success_url": _portal_url("/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}"),
                "cancel_url": _portal_url("/billing?checkout=canceled"),
            }
        )
    data.record(
        None,
        action="billing.checkout_started",
        target=f"tenant:{ctx.tenant_id}",
        details={"tier": request.tier, "session_id": session.id},
    )
    return CheckoutSession(url=str(session.url), session_id=session.id)


def portal(ctx: TenantContext) -> PortalSession:
    billing = billing_item(tenant_data(ctx))
    if billing is None or not billing.stripe_customer_id:
        raise Conflict(
            "There is no billing account yet: upgrade first (POST /api/v1/billing/checkout).",
            code="no_billing_account",
        )
    with stripe_call("billing_portal.sessions.create"):
        session = stripe_client().v1.billing_portal.sessions.create(
            params={"customer": billing.stripe_customer_id, "return_url": _portal_url("/billing")}
        )
    return PortalSession(url=str(session.url))

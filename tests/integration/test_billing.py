"""Billing through Stripe: checkout, the webhook, the worker, and what a tier change changes.

Stripe is the local emulator (infra/local/stripe_emulator.py) on a loopback port; the stripe SDK
talks to it over HTTP, and its signed events reach the webhook handler in process.
"""

from __future__ import annotations

import boto3
import requests

from agentgate.models import AuditEntryItem, DomainEventItem, TenantItem, tenant_pk
from agentgate.platform.settings import get_settings
from agentgate.tiers import FREE, PRO
from infra.local.limits import UsagePlanDirectory
from tests.support.api import call
from tests.support.billing import drain_billing, emulator  # noqa: F401 - a fixture
from tests.support.identity import new_tenant

JSON = {"Accept": "application/json"}


def checkout(ctx, tier="pro"):
    return call("POST", "/api/v1/billing/checkout", body={"tier": tier}, ctx=ctx)


def subscription(ctx):
    reply = call("GET", "/api/v1/billing/subscription", ctx=ctx)
    assert reply.status == 200, reply.text
    return reply.json


def pay(url: str) -> dict:
    """What the checkout page's Pay button does: a POST to the session's URL."""
    reply = requests.post(url, headers=JSON, timeout=30)
    assert reply.status_code == 200, reply.text
    return reply.json()


def upgraded(ctx, tier="pro"):
    reply = checkout(ctx, tier)
    assert reply.status == 201, reply.text
    pay(reply.json["url"])
    drain_billing()
    return reply.json


def tenant(tenant_id: str) -> TenantItem:
    return TenantItem.get(tenant_pk(tenant_id), TenantItem.SK, consistent_read=True)


def plan_of(tenant_id: str) -> str:
    """The tier whose usage plan holds the tenant's key, as API Gateway (moto) has it."""
    apigateway = boto3.client("apigateway", region_name="us-east-1")
    key_id = tenant(tenant_id).usage_key_id
    holding = [
        tier
        for tier, plan in get_settings().usage_plan_ids.items()
        if any(k["id"] == key_id for k in apigateway.get_usage_plan_keys(usagePlanId=plan)["items"])
    ]
    assert len(holding) == 1, holding
    return holding[0]


def audit_actions(tenant_id: str) -> list[str]:
    return [
        e.action for e in AuditEntryItem.query(tenant_pk(tenant_id), AuditEntryItem.sk.startswith("AUDIT#0"))
    ]


def event_types(tenant_id: str) -> list[str]:
    return [
        e.type for e in DomainEventItem.query(tenant_pk(tenant_id), DomainEventItem.sk.startswith("EVENT#"))
    ]


def test_free_to_pro_through_checkout_moves_the_key_and_raises_every_limit(emulator):  # noqa: F811
    tenant_id, ctx = new_tenant()
    assert plan_of(tenant_id) == "free"
    started = upgraded(ctx)
    assert started["session_id"].startswith("cs_test_")

    state = subscription(ctx)
    assert state["tier"] == "pro" and state["status"] == "active"
    assert state["stripe_customer_id"].startswith("cus_") and state["stripe_subscription_id"].startswith(
        "sub_"
    )
    assert plan_of(tenant_id) == "pro"
    plans = UsagePlanDirectory(
        boto3.client("apigateway", region_name="us-east-1"), list(get_settings().usage_plan_ids.values())
    )
    limits = plans.plan_for(tenant(tenant_id).usage_key)
    assert (limits.rate_per_second, limits.burst, limits.daily_quota) == (
        PRO.rate_per_second,
        PRO.burst,
        PRO.daily_quota,
    )
    for n in range(FREE.agent_limit + 1):
        reply = call("POST", "/api/v1/agents", body={"name": f"agent-{n}"}, ctx=ctx)
        assert reply.status == 201, (n, reply.text)
    assert audit_actions(tenant_id).count("tenant.tier_changed") == 1
    assert event_types(tenant_id).count("tenant.tier_changed") == 1

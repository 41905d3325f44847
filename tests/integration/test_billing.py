"""Billing through Stripe: checkout, the webhook, the worker, and what a tier change changes.

Stripe is the local emulator (infra/local/stripe_emulator.py) on a loopback port; the stripe SDK
talks to it over HTTP, and its signed events reach the webhook handler in process.
"""

from __future__ import annotations

import boto3
import pytest
import requests

from agentgate.models import AuditEntryItem, DomainEventItem, TenantItem, tenant_pk
from agentgate.platform.settings import get_settings
from agentgate.platform.tenancy import Role
from agentgate.tiers import FREE, PRO
from infra.local.limits import UsagePlanDirectory
from tests.support.api import call
from tests.support.billing import drain_billing, emulator  # noqa: F401 - a fixture
from tests.support.identity import as_role, new_tenant

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


def portal_action(ctx, action: str) -> list[str]:
    """A button of the customer portal's page: a form POST to the portal session's URL."""
    reply = call("POST", "/api/v1/billing/portal", ctx=ctx)
    assert reply.status == 201, reply.text
    sub_id = subscription(ctx)["stripe_subscription_id"]
    page = requests.post(
        reply.json["url"], data={"subscription": sub_id, "action": action}, headers=JSON, timeout=30
    )
    assert page.status_code == 200, page.text
    return page.json()["data"]


def test_a_failed_payment_marks_the_tenant_past_due_and_keeps_the_tier(emulator):  # noqa: F811
    tenant_id, ctx = new_tenant()
    upgraded(ctx)
    assert portal_action(ctx, "fail_payment") == ["invoice.payment_failed", "customer.subscription.updated"]
    drain_billing()
    state = subscription(ctx)
    assert (state["tier"], state["status"]) == ("pro", "past_due")
    assert plan_of(tenant_id) == "pro"


def test_cancel_keeps_pro_until_the_period_ends_then_free_and_nothing_is_deleted(emulator):  # noqa: F811
    tenant_id, ctx = new_tenant()
    upgraded(ctx)
    for n in range(FREE.agent_limit + 1):
        assert call("POST", "/api/v1/agents", body={"name": f"a{n}"}, ctx=ctx).status == 201
    portal_action(ctx, "cancel")
    drain_billing()
    state = subscription(ctx)
    assert (state["tier"], state["status"], state["cancel_at_period_end"]) == ("pro", "active", True)

    assert portal_action(ctx, "end_period") == ["customer.subscription.deleted"]
    drain_billing()
    state = subscription(ctx)
    assert (state["tier"], state["status"]) == ("free", "canceled")
    assert plan_of(tenant_id) == "free"
    agents = call("GET", "/api/v1/agents", query={"limit": 50}, ctx=ctx).json["items"]
    assert len(agents) == FREE.agent_limit + 1  # over the free limit, and kept
    refused = call("POST", "/api/v1/agents", body={"name": "one-more"}, ctx=ctx)
    assert (refused.status, refused.json["error"]["code"]) == (403, "tier_limit")
    assert audit_actions(tenant_id).count("tenant.tier_changed") == 2


def test_a_late_update_delivered_after_the_deletion_changes_nothing(emulator):  # noqa: F811
    tenant_id, ctx = new_tenant()
    upgraded(ctx)
    emulator.auto_deliver = False
    portal_action(ctx, "cancel")
    emulator.clock.advance(60)
    portal_action(ctx, "end_period")
    updated, deleted = emulator.outbox
    assert (updated["type"], deleted["type"]) == (
        "customer.subscription.updated",
        "customer.subscription.deleted",
    )
    assert emulator.deliver_event(deleted) == 200
    drain_billing()
    assert emulator.deliver_event(updated) == 200
    drain_billing()
    state = subscription(ctx)
    assert (state["tier"], state["status"]) == ("free", "canceled")
    assert plan_of(tenant_id) == "free"


def test_every_event_delivered_twice_has_one_effect(emulator):  # noqa: F811
    tenant_id, ctx = new_tenant()
    emulator.auto_deliver = False
    session = checkout(ctx).json
    pay(session["url"])
    assert [e["type"] for e in emulator.outbox] == [
        "checkout.session.completed",
        "customer.subscription.created",
        "invoice.payment_succeeded",
    ]
    for event in [*emulator.outbox, *emulator.outbox]:
        assert emulator.deliver_event(event) == 200
    assert drain_billing() == 3  # the second copies were acknowledged and not queued
    assert subscription(ctx)["tier"] == "pro"
    assert audit_actions(tenant_id).count("tenant.tier_changed") == 1
    assert event_types(tenant_id).count("tenant.tier_changed") == 1


def test_the_authorizer_context_carries_the_new_tier(emulator):  # noqa: F811
    from agentgate.services.authorizer import decide

    tenant_id, ctx = new_tenant()
    key = call("POST", "/api/v1/api-keys", body={"name": "k", "scopes": ["agents:read"]}, ctx=ctx).json["key"]
    before = decide(key)
    upgraded(ctx)
    after = decide(key)
    assert (before.ctx.tier, after.ctx.tier) == ("free", "pro")
    assert after.usage_key == before.usage_key == tenant(tenant_id).usage_key


def test_the_same_or_a_lower_tier_is_not_an_upgrade(emulator):  # noqa: F811
    _, ctx = new_tenant()
    upgraded(ctx, "enterprise")
    for tier in ("pro", "enterprise"):
        reply = checkout(ctx, tier)
        assert (reply.status, reply.json["error"]["code"]) == (409, "not_an_upgrade")


def test_a_paid_tenant_changes_plan_in_the_portal_not_in_a_second_checkout(emulator):  # noqa: F811
    _, ctx = new_tenant()
    upgraded(ctx, "pro")
    reply = checkout(ctx, "enterprise")
    assert (reply.status, reply.json["error"]["code"]) == (409, "subscription_exists")


@pytest.mark.parametrize("body", [{}, {"tier": "free"}, {"tier": "platinum"}, {"tier": "pro", "extra": 1}])
def test_a_bad_checkout_body_is_a_400_naming_the_field(emulator, body):  # noqa: F811
    from tests.support.identity import item_keys

    _, ctx = new_tenant()
    before = item_keys()
    reply = call("POST", "/api/v1/billing/checkout", body=body, ctx=ctx)
    assert reply.status == 400, reply.text
    assert reply.json["error"]["details"]
    assert item_keys() == before
    assert not emulator.state.customers


@pytest.mark.parametrize(
    ("method", "resource"),
    [
        ("GET", "/api/v1/billing/subscription"),
        ("POST", "/api/v1/billing/checkout"),
        ("POST", "/api/v1/billing/portal"),
    ],
)
def test_billing_is_for_the_owner(emulator, method, resource):  # noqa: F811
    _, ctx = new_tenant()
    reply = call(
        method,
        resource,
        body={"tier": "pro"} if "checkout" in resource else None,
        ctx=as_role(ctx, Role.ADMIN),
    )
    assert (reply.status, reply.json["error"]["code"]) == (403, "insufficient_role")


def test_another_tenant_neither_sees_nor_acts_on_a_subscription(emulator):  # noqa: F811
    a_id, a = new_tenant("A")
    b_id, b = new_tenant("B")
    upgraded(a)
    a_state = subscription(a)
    b_state = subscription(b)
    assert (b_state["tier"], b_state["status"], b_state["stripe_customer_id"]) == ("free", "none", None)
    refused = call("POST", "/api/v1/billing/portal", ctx=b)
    assert (refused.status, refused.json["error"]["code"]) == (409, "no_billing_account")
    b_checkout = checkout(b).json
    assert emulator.state.sessions[b_checkout["session_id"]]["customer"] != a_state["stripe_customer_id"]
    assert emulator.state.sessions[b_checkout["session_id"]]["client_reference_id"] == b_id
    assert subscription(a) == a_state and tenant(b_id).tier == "free" and tenant(a_id).tier == "pro"


def test_runs_stored_after_the_upgrade_keep_pro_retention_and_earlier_ones_theirs(emulator):  # noqa: F811
    from datetime import UTC, datetime, timedelta

    from agentgate.models import RunItem
    from agentgate.services.authorizer import decide
    from tests.integration.test_runs_helpers import Stream, run_body

    tenant_id, ctx = new_tenant()
    key = call("POST", "/api/v1/api-keys", body={"name": "ingest", "scopes": ["ingest"]}, ctx=ctx).json["key"]
    agent_id = call("POST", "/api/v1/agents", body={"name": "runner"}, ctx=ctx).json["id"]

    def ingest(run_id: str) -> datetime:
        # The context the authorizer builds for this key now, as the gateway passes it to the route.
        reply = call(
            "POST", "/api/v1/ingest/run", body=run_body(run_id, agent_id=agent_id), ctx=decide(key).ctx
        )
        assert reply.status == 202, reply.text
        stream = Stream()
        stream.read()
        stream.deliver()  # the whole stream again: a redelivered run is stored once, unchanged
        return RunItem.get(tenant_pk(tenant_id), RunItem.sk_for(run_id)).expires_at

    before = ingest("run-before")
    upgraded(ctx)
    after = ingest("run-after")
    now = datetime.now(UTC)
    assert abs(before - (now + timedelta(days=FREE.retention_days))) < timedelta(minutes=5)
    assert abs(after - (now + timedelta(days=PRO.retention_days))) < timedelta(minutes=5)
    assert RunItem.get(tenant_pk(tenant_id), RunItem.sk_for("run-before")).expires_at == before

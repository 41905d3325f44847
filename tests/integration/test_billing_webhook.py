"""The Stripe webhook's faults, events signed with the stripe SDK's own helpers; metering to Stripe.

Nothing here signs with the project's code: ``stripe.WebhookSignature.generate_signature_header``
is the SDK's helper for exactly this, computing ``t=...,v1=HMAC-SHA256(secret, "t.payload")``.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
import stripe

from agentgate.models import MeterReportItem, tenant_pk
from agentgate.services import stripe_api
from tests.support.api import call
from tests.support.billing import (
    WEBHOOK_SECRET,
    drain_billing,
    emulator,  # noqa: F401 - a fixture
    post_event,
    signed_post,
    stripe_event,
)
from tests.support.identity import item_keys, new_tenant


def paid_tenant(emulator):  # noqa: F811
    tenant_id, ctx = new_tenant()
    session = call("POST", "/api/v1/billing/checkout", body={"tier": "pro"}, ctx=ctx).json
    requests.post(session["url"], headers={"Accept": "application/json"}, timeout=30)
    drain_billing()
    sub_id = call("GET", "/api/v1/billing/subscription", ctx=ctx).json["stripe_subscription_id"]
    return tenant_id, ctx, emulator.state.subscriptions[sub_id]


def failed_payment_event(subscription, created=None):
    invoice = {"id": "in_test", "object": "invoice", "customer": subscription["customer"],
               "subscription": subscription["id"], "status": "open"}  # fmt: skip
    return stripe_event("invoice.payment_failed", invoice, created=created)


def tier_and_status(ctx):
    body = call("GET", "/api/v1/billing/subscription", ctx=ctx).json
    return body["tier"], body["status"]


@pytest.mark.parametrize(
    "signature",
    [
        None,  # missing
        "t=1,v1=deadbeef",  # forged
        "not a header",
    ],
)
def test_a_missing_or_forged_signature_is_a_400_and_nothing_is_written(emulator, signature):  # noqa: F811
    _, ctx, subscription = paid_tenant(emulator)
    before = item_keys()
    reply = post_event(json.dumps(failed_payment_event(subscription)), signature)
    assert (reply.status, reply.json["error"]["code"]) == (400, "invalid_signature")
    assert item_keys() == before and drain_billing() == 0
    assert tier_and_status(ctx) == ("pro", "active")


def test_an_event_signed_with_another_secret_is_refused(emulator):  # noqa: F811
    _, _, subscription = paid_tenant(emulator)
    before = item_keys()
    reply = signed_post(failed_payment_event(subscription), secret="whsec_" + "other" * 6)
    assert (reply.status, reply.json["error"]["code"]) == (400, "invalid_signature")
    assert item_keys() == before


def test_a_signature_older_than_300_seconds_is_refused(emulator):  # noqa: F811
    _, _, subscription = paid_tenant(emulator)
    before = item_keys()
    reply = signed_post(failed_payment_event(subscription), timestamp=int(time.time()) - 301)
    assert (reply.status, reply.json["error"]["code"]) == (400, "invalid_signature")
    assert item_keys() == before
    fresh = signed_post(failed_payment_event(subscription), timestamp=int(time.time()) - 250)
    assert fresh.status == 200


def test_a_tampered_body_does_not_verify(emulator):  # noqa: F811
    _, _, subscription = paid_tenant(emulator)
    payload = json.dumps(failed_payment_event(subscription))
    header = stripe.WebhookSignature.generate_signature_header(payload, WEBHOOK_SECRET)
    before = item_keys()
    reply = post_event(payload.replace("invoice.payment_failed", "invoice.payment_succeeded"), header)
    assert reply.status == 400 and item_keys() == before


def test_a_signed_body_that_is_not_an_event_is_a_400(emulator):  # noqa: F811
    before = item_keys()
    for payload in ("not json", json.dumps({"id": "evt_1"}), json.dumps([1, 2])):
        header = stripe.WebhookSignature.generate_signature_header(payload, WEBHOOK_SECRET)
        reply = post_event(payload, header)
        assert (reply.status, reply.json["error"]["code"]) == (400, "malformed_event"), payload
    assert item_keys() == before


def test_a_replayed_event_is_acknowledged_with_no_second_effect(emulator):  # noqa: F811
    _, ctx, subscription = paid_tenant(emulator)
    event = failed_payment_event(subscription)
    assert signed_post(event).json == {"received": True, "duplicate": False, "ignored": False}
    assert drain_billing() == 1
    assert tier_and_status(ctx) == ("pro", "past_due")
    before = item_keys()
    replay = signed_post(event)
    assert (replay.status, replay.json["duplicate"]) == (200, True)
    assert drain_billing() == 0 and item_keys() == before


def test_an_event_for_no_known_tenant_is_acknowledged_logged_and_not_written(emulator, caplog):  # noqa: F811
    from agentgate.platform.observability import logger

    paid_tenant(emulator)
    logger._logger.addHandler(caplog.handler)  # Powertools' logger does not propagate to the root
    before = item_keys()
    stranger = {"id": "sub_stranger", "object": "subscription", "customer": "cus_nobody", "status": "active",
                "metadata": {"tenant_id": "ten_nobody"}}  # fmt: skip
    reply = signed_post(stripe_event("customer.subscription.updated", stranger))
    assert (reply.status, reply.json["ignored"]) == (200, True)
    assert item_keys() == before and drain_billing() == 0
    logger._logger.removeHandler(caplog.handler)
    assert "stripe event ignored: no tenant has its customer" in caplog.text


def test_an_event_type_not_handled_is_acknowledged_and_ignored(emulator):  # noqa: F811
    _, _, subscription = paid_tenant(emulator)
    before = item_keys()
    reply = signed_post(
        stripe_event("customer.updated", {"id": subscription["customer"], "object": "customer"})
    )
    assert (reply.status, reply.json["ignored"]) == (200, True)
    assert item_keys() == before


def test_an_event_older_than_the_state_applied_changes_nothing(emulator):  # noqa: F811
    _, ctx, subscription = paid_tenant(emulator)
    late = failed_payment_event(subscription, created=int(time.time()) - 3600)
    assert signed_post(late).status == 200
    drain_billing()
    assert tier_and_status(ctx) == ("pro", "active")


def test_stripe_unreachable_during_checkout_is_a_503_with_retry_after(emulator, monkeypatch):  # noqa: F811
    from agentgate.platform.settings import reset_settings

    _, ctx = new_tenant()
    monkeypatch.setenv("STRIPE_API_BASE", "http://127.0.0.1:9")  # the discard port: nothing listens
    reset_settings()
    stripe_api.reset_clients()
    before = item_keys()
    reply = call("POST", "/api/v1/billing/checkout", body={"tier": "pro"}, ctx=ctx)
    assert (reply.status, reply.json["error"]["code"]) == (503, "billing_unavailable")
    assert int(reply.headers["retry-after"]) > 0
    assert item_keys() == before


# --- usage metering -------------------------------------------------------------------------------


def rollup(day):
    from functions import analytics_rollup
    from infra.local.apigw import LambdaContext

    fired = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=UTC) + timedelta(minutes=15)
    return analytics_rollup.handler(
        {"time": fired.isoformat()}, LambdaContext(function_name="analytics_rollup")
    )


def api_calls(tenant_id, day, n):
    from agentgate.models import AnalyticsActiveTenantItem, AnalyticsHourItem

    hour = f"{day.isoformat()}T10"
    AnalyticsActiveTenantItem(
        AnalyticsActiveTenantItem.pk_for(day.isoformat()),
        tenant_pk(tenant_id),
        tenant_id=tenant_id,
        tier="pro",
    ).save()
    AnalyticsHourItem(
        tenant_pk(tenant_id),
        AnalyticsHourItem.sk_for(hour, "api_call", "-"),
        kind="api_call",
        hour=hour,
        agent_id="-",
        hits=n,
    ).save()


def test_the_daily_rollup_reports_api_calls_to_the_stripe_meter_once(emulator):  # noqa: F811
    tenant_id, _, subscription = paid_tenant(emulator)
    day = datetime.now(UTC).date() - timedelta(days=1)
    api_calls(tenant_id, day, 42)
    rollup(day)
    rollup(day)  # the timer's retry, or a second firing
    events = [e for e in emulator.state.meter_events.values() if e["event_name"] == "agentgate_api_calls"]
    assert len(events) == 1
    assert events[0]["payload"] == {"stripe_customer_id": subscription["customer"], "value": "42"}
    assert events[0]["identifier"] == f"agentgate:{tenant_id}:{day.isoformat()}:api_calls"
    end_of_day = datetime.combine(day, datetime.max.time(), tzinfo=UTC)
    assert int(events[0]["timestamp"]) == int(end_of_day.timestamp())
    assert (
        MeterReportItem.get(tenant_pk(tenant_id), MeterReportItem.sk_for(day.isoformat(), "api_calls")).value
        == 42
    )


def test_a_report_stripe_holds_already_is_not_sent_twice_when_its_marker_was_lost(emulator):  # noqa: F811
    tenant_id, _, _ = paid_tenant(emulator)
    day = datetime.now(UTC).date() - timedelta(days=1)
    api_calls(tenant_id, day, 5)
    rollup(day)
    MeterReportItem.get(tenant_pk(tenant_id), MeterReportItem.sk_for(day.isoformat(), "api_calls")).delete()
    rollup(day)  # Stripe answers 400 duplicate_meter_event: delivered, so the marker is written again
    assert len(emulator.state.meter_events) == 1
    assert (
        MeterReportItem.get(tenant_pk(tenant_id), MeterReportItem.sk_for(day.isoformat(), "api_calls")).value
        == 5
    )


def test_metering_is_off_when_no_meter_is_configured(emulator, monkeypatch):  # noqa: F811
    from agentgate.platform.settings import reset_settings

    tenant_id, _, _ = paid_tenant(emulator)
    monkeypatch.setenv("STRIPE_METER_API_CALLS", "")
    monkeypatch.setenv("STRIPE_METER_RUNS", "")
    reset_settings()
    day = datetime.now(UTC).date() - timedelta(days=1)
    api_calls(tenant_id, day, 7)
    rollup(day)
    assert not emulator.state.meter_events

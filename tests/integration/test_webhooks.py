"""Outbound webhooks: subscriptions over the API, deliveries signed per Standard Webhooks (checked with
the ``standardwebhooks`` library), retries with backoff to the dead-letter queue, every attempt listed."""

import json

import boto3
import pytest
from standardwebhooks.webhooks import Webhook as StandardWebhook

from agentgate.models import WebhookDeliveryItem, WebhookItem, tenant_pk
from agentgate.platform.settings import reset_settings
from agentgate.services import events, webhooks
from tests.support.api import call
from tests.support.governance import CONSUMER, Receiver, drain, make_tenant, poller, user

ADMIN = user("t1")
OTHER_TENANT = user("t2")


@pytest.fixture
def tenant(aws, monkeypatch):
    make_tenant("t1")
    make_tenant("t2")
    return aws


@pytest.fixture
def loopback(tenant, monkeypatch):
    """The local demo setting: loopback receivers allowed (never in a deployment)."""
    monkeypatch.setenv("ALLOW_LOOPBACK_WEBHOOKS", "true")
    reset_settings()
    monkeypatch.setattr(webhooks, "BACKOFF_BASE_SECONDS", 0)  # retries come back at once in tests


@pytest.fixture
def receiver():
    endpoint = Receiver()
    yield endpoint
    endpoint.close()


def subscribe(url, event_types=("emergency.paused",), ctx=ADMIN):
    reply = call("POST", "/api/v1/webhooks", body={"url": url, "events": list(event_types)}, ctx=ctx)
    assert reply.status == 201, reply.text
    return reply.json


def stored_hooks(tenant_id="t1"):
    return list(WebhookItem.query(tenant_pk(tenant_id), WebhookItem.sk.startswith("WEBHOOK#")))


def deliveries(hook_id, ctx=ADMIN):
    reply = call("GET", "/api/v1/webhooks/{id}/deliveries", path_params={"id": hook_id}, ctx=ctx)
    assert reply.status == 200, reply.text
    return reply.json["items"]


def test_a_subscription_shows_its_whsec_secret_once(loopback, receiver):
    created = subscribe(receiver.url)
    assert created["secret"].startswith("whsec_")
    listed = call("GET", "/api/v1/webhooks", ctx=ADMIN).json["items"]
    assert [h["id"] for h in listed] == [created["id"]]
    assert "secret" not in listed[0]


def test_a_delivery_is_signed_per_standard_webhooks(loopback, receiver, tenant):
    hook = subscribe(receiver.url)
    events.emit("t1", "emergency.paused", {"scope": "tenant", "reason": "drill"})
    drain(tenant)
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    verified = StandardWebhook(hook["secret"]).verify(body, headers)
    assert verified["type"] == "emergency.paused"
    assert verified["data"] == {"scope": "tenant", "reason": "drill"}
    assert headers["webhook-id"] == verified["id"]
    assert deliveries(hook["id"])[0]["status"] == "delivered"


def test_a_forged_signature_does_not_verify(loopback, receiver, tenant):
    subscribe(receiver.url)
    events.emit("t1", "emergency.paused", {"scope": "tenant"})
    drain(tenant)
    headers, body = receiver.requests[0]
    other_secret = webhooks.new_secret()
    with pytest.raises(Exception, match="signature"):
        StandardWebhook(other_secret).verify(body, headers)


def test_only_subscribed_event_types_are_delivered(loopback, receiver, tenant):
    subscribe(receiver.url, ("budget.threshold_crossed",))
    events.emit("t1", "emergency.paused", {"scope": "tenant"})
    drain(tenant)
    assert receiver.requests == []


def test_a_receiver_that_fails_twice_then_succeeds_gets_the_event_exactly_once_more(loopback, tenant):
    flaky = Receiver(failures=2)
    try:
        hook = subscribe(flaky.url)
        events.emit("t1", "emergency.paused", {"scope": "tenant"})
        drain(tenant)
        drain(tenant)  # nothing left: a delivered message is never sent again
        codes = [
            StandardWebhook(hook["secret"]).verify(body, headers)["id"] for headers, body in flaky.requests
        ]
        assert len(flaky.requests) == 3
        assert len(set(codes)) == 1, "every retry carries the same webhook-id"
    finally:
        flaky.close()
    listed = deliveries(hook["id"])[0]
    assert listed["status"] == "delivered"
    assert [a["status_code"] for a in listed["attempts"]] == [500, 500, 200]
    assert [a["next_retry_in_seconds"] for a in listed["attempts"]] == [0, 0, None]


def test_backoff_doubles_from_thirty_seconds_and_is_capped():
    assert [webhooks.backoff_seconds(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert webhooks.backoff_seconds(20) == webhooks.BACKOFF_MAX_SECONDS


def test_a_receiver_that_always_fails_ends_in_the_dead_letter_queue(loopback, tenant):
    failing = Receiver(failures=10_000)
    try:
        hook = subscribe(failing.url)
        events.emit("t1", "emergency.paused", {"scope": "tenant"})
        drain(tenant, rounds=CONSUMER.max_receive_count + 3)
        assert len(failing.requests) == CONSUMER.max_receive_count
    finally:
        failing.close()
    sqs = boto3.client("sqs", region_name="us-east-1")
    dlq = sqs.get_queue_url(QueueName="agentgate-webhooks-dlq")["QueueUrl"]
    dead = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", [])
    assert len(dead) == 1
    assert json.loads(dead[0]["Body"])["webhook_id"] == hook["id"]
    listed = deliveries(hook["id"])[0]
    assert listed["status"] == "failed"
    assert len(listed["attempts"]) == CONSUMER.max_receive_count


def test_the_test_route_sends_a_webhook_test_event(loopback, receiver, tenant):
    hook = subscribe(receiver.url)
    reply = call("POST", "/api/v1/webhooks/{id}/test", path_params={"id": hook["id"]}, ctx=ADMIN)
    assert reply.status == 202, reply.text
    assert reply.json["event_type"] == "webhook.test"
    drain(tenant)
    headers, body = receiver.requests[0]
    assert StandardWebhook(hook["secret"]).verify(body, headers)["type"] == "webhook.test"


def test_delete_stops_deliveries(loopback, receiver, tenant):
    hook = subscribe(receiver.url)
    assert call("DELETE", "/api/v1/webhooks/{id}", path_params={"id": hook["id"]}, ctx=ADMIN).status == 204
    events.emit("t1", "emergency.paused", {"scope": "tenant"})
    drain(tenant)
    assert receiver.requests == []
    assert stored_hooks() == []


def test_pause_all_reaches_subscribers(loopback, receiver, tenant):
    hook = subscribe(receiver.url, ("emergency.paused", "emergency.resumed"))
    call("POST", "/api/v1/emergency/pause-all", ctx=ADMIN)
    call("POST", "/api/v1/emergency/resume-all", ctx=ADMIN)
    drain(tenant)
    types = sorted(StandardWebhook(hook["secret"]).verify(b, h)["type"] for h, b in receiver.requests)
    assert types == ["emergency.paused", "emergency.resumed"]


@pytest.mark.parametrize(
    "body",
    [
        {"url": "https://example.com/hook", "events": ["agent.exploded"]},
        {"url": "https://example.com/hook", "events": []},
        {"url": "ftp://example.com/hook", "events": ["agent.paused"]},
        {"url": "https://user:pw@example.com/hook", "events": ["agent.paused"]},
        {"url": "https://example.com/hook", "events": ["agent.paused"], "secret": "whsec_mine"},
        {"events": ["agent.paused"]},
    ],
)
def test_bad_input_is_a_400_and_nothing_is_written(tenant, body):
    reply = call("POST", "/api/v1/webhooks", body=body, ctx=ADMIN)
    assert reply.status == 400, reply.text
    assert stored_hooks() == []


def test_webhooks_need_the_admin_role(tenant):
    reply = call(
        "POST", "/api/v1/webhooks", body={"url": "https://example.com/h", "events": ["agent.paused"]},
        ctx=user("t1", "usr_m", role="member"),
    )  # fmt: skip
    assert reply.status == 403
    assert stored_hooks() == []


@pytest.mark.parametrize(
    ("method", "resource"),
    [
        ("DELETE", "/api/v1/webhooks/{id}"),
        ("GET", "/api/v1/webhooks/{id}/deliveries"),
        ("POST", "/api/v1/webhooks/{id}/test"),
    ],
)
def test_another_tenant_gets_404_for_a_webhook_id(loopback, receiver, method, resource):
    hook = subscribe(receiver.url)
    reply = call(method, resource, path_params={"id": hook["id"]}, ctx=OTHER_TENANT)
    assert reply.status == 404
    assert len(stored_hooks()) == 1
    assert (
        list(WebhookDeliveryItem.query(tenant_pk("t2"), WebhookDeliveryItem.sk.startswith("WHDELIVERY#")))
        == []
    )
    assert call("GET", "/api/v1/webhooks", ctx=OTHER_TENANT).json["items"] == []


def test_the_signature_matches_the_standard_webhooks_reference_vector():
    # The example of the Standard Webhooks specification (secret, id, timestamp, body -> signature).
    signature = webhooks.sign(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        b'{"test": 2432232314}',
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_one_failing_receiver_does_not_hold_back_another_in_the_same_batch(loopback, receiver, tenant):
    failing = Receiver(failures=10_000)
    try:
        good = subscribe(receiver.url)
        bad = subscribe(failing.url)
        events.emit("t1", "emergency.paused", {"scope": "tenant"})
        report = poller(tenant).poll_once()
        assert (report.received, report.deleted, len(report.failed)) == (2, 1, 1)
    finally:
        failing.close()
    assert deliveries(good["id"])[0]["status"] == "delivered"
    assert deliveries(bad["id"])[0]["status"] == "retrying"

"""The local stack's queue poller has the SQS event source mapping's semantics (fixture consumer, moto)."""

import json

import boto3
import pytest
from moto import mock_aws

from agentgate.consumers import QueueConsumer
from infra.local.handlers import FunctionRunner
from infra.local.queues import QueuePoller
from infra.local.resources import provision
from tests.fixtures import queue_consumer

# Visibility timeout 0: a failed message is visible again at once, so retries need no waiting.
FIXTURE = QueueConsumer(
    "fixture-jobs",
    "tests.fixtures.queue_consumer",
    "webhook_queue_url",
    batch_size=10,
    max_receive_count=2,
    visibility_timeout_seconds=0,
)


@pytest.fixture
def queues():
    queue_consumer.PROCESSED.clear()
    queue_consumer.RAISE_ON_ANY["value"] = False
    with mock_aws():
        provisioned = provision(queue_consumers=[FIXTURE])
        sqs = boto3.client("sqs", region_name="us-east-1")
        poller = QueuePoller(
            FIXTURE,
            queue_url=provisioned.queue_urls[FIXTURE.name],
            sqs=sqs,
            runner=FunctionRunner(),
            region="us-east-1",
        )
        yield provisioned, sqs, poller


def _send(sqs, url, *bodies):
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body)


def _depth(sqs, url) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def test_provisioning_gives_the_queue_its_visibility_timeout_and_redrive_policy(queues):
    provisioned, sqs, _ = queues
    url = provisioned.queue_urls[FIXTURE.name]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "0"
    redrive = json.loads(attributes["RedrivePolicy"])
    assert int(redrive["maxReceiveCount"]) == 2
    assert redrive["deadLetterTargetArn"].endswith(":agentgate-fixture-jobs-dlq")
    assert provisioned.env["WEBHOOK_QUEUE_URL"] == url


def test_a_successful_batch_is_deleted_from_the_queue(queues):
    provisioned, sqs, poller = queues
    url = provisioned.queue_urls[FIXTURE.name]
    _send(sqs, url, "one", "two")
    report = poller.poll_once()
    assert (report.received, report.deleted) == (2, 2)
    assert sorted(queue_consumer.PROCESSED) == ["one", "two"]
    assert _depth(sqs, url) == 0


def test_a_reported_failure_stays_in_the_queue_and_the_rest_is_deleted(queues):
    provisioned, sqs, poller = queues
    url = provisioned.queue_urls[FIXTURE.name]
    _send(sqs, url, "one", "poison")
    report = poller.poll_once()
    assert (report.received, report.deleted, len(report.failed)) == (2, 1, 1)
    assert _depth(sqs, url) == 1


def test_a_message_that_keeps_failing_moves_to_the_dead_letter_queue_after_max_receives(queues):
    provisioned, sqs, poller = queues
    url, dlq = provisioned.queue_urls[FIXTURE.name], provisioned.dead_letter_urls[FIXTURE.name]
    _send(sqs, url, "poison")
    assert poller.poll_once().failed  # first receive
    assert poller.poll_once().failed  # second receive: maxReceiveCount reached
    assert poller.poll_once().received == 0  # the redrive policy moved it
    [dead] = sqs.receive_message(QueueUrl=dlq).get("Messages", [])
    assert dead["Body"] == "poison"
    assert _depth(sqs, url) == 0


def test_a_function_error_leaves_every_message_in_the_queue(queues):
    provisioned, sqs, poller = queues
    url = provisioned.queue_urls[FIXTURE.name]
    _send(sqs, url, "one", "two")
    queue_consumer.RAISE_ON_ANY["value"] = True
    report = poller.poll_once()
    assert (report.received, report.deleted) == (2, 0)
    queue_consumer.RAISE_ON_ANY["value"] = False
    assert poller.poll_once().deleted == 2
    assert sorted(queue_consumer.PROCESSED) == ["one", "two"]


def test_the_event_has_the_sqs_record_shape(queues):
    provisioned, sqs, poller = queues
    url = provisioned.queue_urls[FIXTURE.name]
    _send(sqs, url, "one")
    [message] = sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"]
    [record] = poller.event([message])["Records"]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"].endswith(":agentgate-fixture-jobs")
    assert record["body"] == "one"
    assert record["attributes"]["ApproximateReceiveCount"] == "1"

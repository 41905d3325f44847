"""The local stack's stream poller has the event source mapping's semantics (fixture consumers, moto)."""

import json

import boto3
import pytest

from agentgate.consumers import StreamConsumer
from infra.local.handlers import FunctionRunner
from infra.local.streams import StreamPoller
from tests.fixtures import partial_stream_consumer, poison_stream_consumer


@pytest.fixture(autouse=True)
def _clean_fixtures():
    for module in (poison_stream_consumer, partial_stream_consumer):
        module.PROCESSED.clear()
        module.BATCHES.clear()


def _put(aws, *records: str) -> list[str]:
    kinesis = boto3.client("kinesis")
    return [
        kinesis.put_record(StreamName=aws["RUNS_STREAM_NAME"], Data=data.encode(), PartitionKey="p")[
            "SequenceNumber"
        ]
        for data in records
    ]


def _poller(aws, consumer: StreamConsumer, wait=lambda seconds: None) -> StreamPoller:
    return StreamPoller(
        consumer,
        stream_name=aws["RUNS_STREAM_NAME"],
        kinesis=boto3.client("kinesis"),
        sqs=boto3.client("sqs"),
        on_failure_queue_url=aws["DEAD_LETTER_QUEUE_URL"],
        runner=FunctionRunner(),
        wait=wait,
    )


def _dead_letters(aws) -> list[dict]:
    messages = (
        boto3.client("sqs")
        .receive_message(QueueUrl=aws["DEAD_LETTER_QUEUE_URL"], MaxNumberOfMessages=10)
        .get("Messages", [])
    )
    return [json.loads(m["Body"]) for m in messages]


POISON = StreamConsumer("fixture", "runs", "tests.fixtures.poison_stream_consumer", batch_size=10)
PARTIAL = StreamConsumer("fixture", "runs", "tests.fixtures.partial_stream_consumer", batch_size=10)


def test_records_reach_the_consumer_in_order_in_one_batch(aws):
    _put(aws, "a", "b", "c")
    report = _poller(aws, POISON).poll_once()
    assert (report.records, report.invocations) == (3, 1)
    assert poison_stream_consumer.PROCESSED == ["a", "b", "c"]
    assert _dead_letters(aws) == []


def test_batches_are_no_larger_than_the_batch_size(aws):
    _put(aws, *"abcde")
    poller = _poller(aws, StreamConsumer("f", "runs", POISON.handler, batch_size=2))
    while poller.poll_once().records:
        pass
    assert poison_stream_consumer.BATCHES == [["a", "b"], ["c", "d"], ["e"]]


def test_bisecting_isolates_a_poison_record_which_goes_to_the_on_failure_queue(aws):
    sequence = _put(aws, "a", "b", "poison", "d")
    report = _poller(aws, POISON).poll_once()
    assert poison_stream_consumer.PROCESSED == ["a", "b", "d"]
    [dead] = _dead_letters(aws)
    info = dead["KinesisBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"], info["batchSize"]) == (
        sequence[2],
        sequence[2],
        1,
    )
    assert info["shardId"] == "shardId-000000000000"
    assert info["streamArn"].endswith(f":stream/{aws['RUNS_STREAM_NAME']}")
    assert dead["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert dead["responseContext"]["functionError"] == "Unhandled"
    assert report.dead_lettered == [dead]


def test_without_bisect_the_whole_batch_is_retried_then_sent_to_the_on_failure_queue(aws):
    sequence = _put(aws, "a", "poison", "c")
    consumer = StreamConsumer("f", "runs", POISON.handler, retry_attempts=2, bisect_on_error=False)
    report = _poller(aws, consumer).poll_once()
    assert report.invocations == 3  # the first try and two retries
    assert poison_stream_consumer.PROCESSED == []
    [dead] = _dead_letters(aws)
    assert dead["KinesisBatchInfo"]["startSequenceNumber"] == sequence[0]
    assert dead["KinesisBatchInfo"]["endSequenceNumber"] == sequence[2]
    assert dead["requestContext"]["approximateInvokeCount"] == 3


def test_a_partial_failure_resumes_from_the_first_failed_record(aws):
    sequence = _put(aws, "a", "b", "poison", "d")
    consumer = StreamConsumer("f", "runs", PARTIAL.handler, retry_attempts=1)
    _poller(aws, consumer).poll_once()
    assert partial_stream_consumer.BATCHES == [["a", "b", "poison", "d"], ["poison", "d"]]
    assert partial_stream_consumer.PROCESSED == ["a", "b", "d", "d"]  # at-least-once: d ran in both batches
    [dead] = _dead_letters(aws)
    assert dead["KinesisBatchInfo"]["startSequenceNumber"] == sequence[2]
    assert dead["KinesisBatchInfo"]["batchSize"] == 2


def test_the_poller_moves_on_after_a_dead_letter_and_never_redelivers(aws):
    _put(aws, "poison", "b")
    poller = _poller(aws, POISON)
    poller.poll_once()
    _put(aws, "c")
    poller.poll_once()
    assert poison_stream_consumer.PROCESSED == ["b", "c"]
    assert len(_dead_letters(aws)) == 1


def test_records_arriving_within_the_batching_window_join_the_batch(aws):
    _put(aws, "a")
    waited = []

    def window_passes(seconds):
        waited.append(seconds)
        _put(aws, "b", "c")  # they arrive while the poller waits

    _poller(aws, POISON, wait=window_passes).poll_once()
    assert waited == [POISON.max_batching_window_seconds]
    assert poison_stream_consumer.BATCHES == [["a", "b", "c"]]


def test_a_full_batch_does_not_wait_for_the_window(aws):
    _put(aws, *"ab")
    waited = []
    full = StreamConsumer("f", "runs", POISON.handler, batch_size=2)
    _poller(aws, full, wait=waited.append).poll_once()
    assert waited == []
    assert poison_stream_consumer.BATCHES == [["a", "b"]]

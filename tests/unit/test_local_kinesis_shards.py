"""The local stack's moto Kinesis: reads by sequence number answer as moto's walk of the shard does."""

from __future__ import annotations

import base64
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.local.kinesis_shards import make_shard_reads_constant_time


def _reads() -> list[Any]:
    """Puts 120 records on a 2-shard stream and reads them back in pages of 7, then all at once."""
    with mock_aws():
        kinesis = boto3.client("kinesis", region_name="us-east-1")
        kinesis.create_stream(StreamName="s", ShardCount=2)
        put = [
            kinesis.put_record(StreamName="s", Data=f"r{i}".encode(), PartitionKey=f"p{i % 5}")
            for i in range(120)
        ]
        answers: list[Any] = [[], sorted((p["ShardId"], p["SequenceNumber"]) for p in put)]
        for shard in kinesis.describe_stream(StreamName="s")["StreamDescription"]["Shards"]:
            answers.append(shard["SequenceNumberRange"])
            for kind, extra in (
                ("TRIM_HORIZON", {}),
                ("AFTER_SEQUENCE_NUMBER", {"StartingSequenceNumber": "3"}),
            ):
                iterator = kinesis.get_shard_iterator(
                    StreamName="s", ShardId=shard["ShardId"], ShardIteratorType=kind, **extra
                )["ShardIterator"]
                pages = []
                while True:
                    page = kinesis.get_records(ShardIterator=iterator, Limit=7)
                    if not page["Records"]:
                        break
                    pages.append(
                        [(r["SequenceNumber"], base64.b64encode(r["Data"])) for r in page["Records"]]
                    )
                    iterator = page["NextShardIterator"]
                answers.append(pages)
                if kind == "TRIM_HORIZON":
                    answers[0].append(sum(len(page) for page in pages))
            latest = kinesis.get_shard_iterator(
                StreamName="s", ShardId=shard["ShardId"], ShardIteratorType="LATEST"
            )
            answers.append(kinesis.get_records(ShardIterator=latest["ShardIterator"])["Records"])
        return answers


def test_reads_answer_as_moto_answers_them(monkeypatch: pytest.MonkeyPatch) -> None:
    walked = _reads()
    make_shard_reads_constant_time(monkeypatch.setattr)
    numbered = _reads()
    assert sum(walked[0]) == 120  # every record read back, in both shards
    assert numbered == walked

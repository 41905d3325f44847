"""Lambda Kinesis events built from stream records exactly as the event source mapping builds them.

Used by ``drain_stream`` (run a consumer over a stream without the local stack) and by tests.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from agentgate.platform.settings import get_settings

ACCOUNT_ID = "123456789012"


def stream_arn(stream_name: str) -> str:
    return f"arn:aws:kinesis:{get_settings().region}:{ACCOUNT_ID}:stream/{stream_name}"


def kinesis_record(
    data: bytes,
    *,
    partition_key: str,
    sequence_number: str,
    shard_id: str = "shardId-000000000000",
    stream_name: str | None = None,
    arrival: datetime | None = None,
) -> dict[str, Any]:
    stream = stream_name or get_settings().runs_stream
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": partition_key,
            "sequenceNumber": sequence_number,
            "data": base64.b64encode(data).decode(),
            "approximateArrivalTimestamp": (arrival.timestamp() if arrival else 0.0),
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard_id}:{sequence_number}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": f"arn:aws:iam::{ACCOUNT_ID}:role/consumer",
        "awsRegion": get_settings().region,
        "eventSourceARN": stream_arn(stream),
    }


def event_from_records(records: list[dict[str, Any]], stream_name: str) -> dict[str, Any]:
    """``GetRecords`` output -> the event a Lambda consumer receives."""
    return {
        "Records": [
            kinesis_record(
                r["Data"],
                partition_key=r["PartitionKey"],
                sequence_number=r["SequenceNumber"],
                stream_name=stream_name,
                arrival=r.get("ApproximateArrivalTimestamp"),
            )
            for r in records
        ]
    }


def read_stream(kinesis: Any, stream_name: str, limit: int = 10_000) -> list[dict[str, Any]]:
    """Every record of every shard from the trim horizon (up to ``limit`` per shard)."""
    records: list[dict[str, Any]] = []
    for shard in kinesis.list_shards(StreamName=stream_name)["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName=stream_name, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        taken = 0
        while iterator and taken < limit:
            page = kinesis.get_records(ShardIterator=iterator, Limit=min(10_000, limit - taken))
            records.extend(page["Records"])
            taken += len(page["Records"])
            if not page["Records"]:
                break
            iterator = page.get("NextShardIterator")
    return records

"""Kinesis consumers: Powertools batch processing with partial failures, one recorder per batch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord

from agentgate.platform.observability import logger


class StreamRecorder(Protocol):
    def process(self, data: str, *, partition_key: str, sequence_number: str) -> str: ...


def make_stream_handler(new_recorder: Callable[[], StreamRecorder]) -> Callable[[dict[str, Any], Any], Any]:
    """A Lambda handler for a Kinesis event source that reports ``batchItemFailures``.

    ``new_recorder`` is called once per batch, so a recorder may cache what a batch shares
    (a tenant's budgets, price overrides or tier) and nothing outlives the batch.
    """
    processor = BatchProcessor(event_type=EventType.KinesisDataStreams)

    @logger.inject_lambda_context(clear_state=True)
    def handler(event: dict[str, Any], context: Any) -> Any:
        recorder = new_recorder()

        def record_handler(record: KinesisStreamRecord) -> str:
            return recorder.process(
                record.kinesis.data,
                partition_key=record.kinesis.partition_key,
                sequence_number=record.kinesis.sequence_number,
            )

        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    return handler


class BatchRecorder(Protocol):
    def process(self, records: list[Any]) -> list[str]: ...


def make_batch_stream_handler(
    new_batch: Callable[[], BatchRecorder], record_type: Callable[..., Any]
) -> Callable[[dict[str, Any], Any], Any]:
    """A Lambda handler that hands the whole batch to one recorder (which commits what the batch
    shares at once) and reports the sequence numbers it returns as ``batchItemFailures``."""

    @logger.inject_lambda_context(clear_state=True)
    def handler(event: dict[str, Any], context: Any) -> Any:
        records = []
        for raw in event.get("Records", []):
            record = KinesisStreamRecord(raw)
            records.append(
                record_type(
                    data=record.kinesis.data,
                    partition_key=record.kinesis.partition_key,
                    sequence_number=record.kinesis.sequence_number,
                    shard=str(raw.get("eventID", "")).split(":", 1)[0],
                )
            )
        failed = new_batch().process(records)
        return {"batchItemFailures": [{"itemIdentifier": seq} for seq in failed]}

    return handler

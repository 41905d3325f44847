"""The runs stream consumer: each record stored once (agentgate.services.runs); partial failures."""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord

from agentgate.platform.observability import logger
from agentgate.services.runs import RunRecorder

processor = BatchProcessor(event_type=EventType.KinesisDataStreams)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    recorder = RunRecorder()  # per batch: caches each tenant's budgets and price overrides

    def record_handler(record: KinesisStreamRecord) -> str:
        return recorder.process(
            record.kinesis.data,
            partition_key=record.kinesis.partition_key,
            sequence_number=record.kinesis.sequence_number,
        )

    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )

"""The runs stream consumer: each batch stored and counted once (agentgate.services.runs_batch)."""

from agentgate.platform.streams import make_batch_stream_handler
from agentgate.services.runs_batch import RunBatch, StreamRecord

# A batch per invocation: it caches each tenant's budgets and price overrides, and commits the
# batch's counters in one transaction.
handler = make_batch_stream_handler(RunBatch, StreamRecord)

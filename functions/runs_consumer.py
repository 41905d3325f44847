"""The runs stream consumer: each record stored once (agentgate.services.runs); partial failures."""

from agentgate.platform.streams import make_stream_handler
from agentgate.services.runs import RunRecorder

# A recorder per batch caches each tenant's budgets and price overrides.
handler = make_stream_handler(RunRecorder)

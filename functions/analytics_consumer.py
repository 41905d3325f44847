"""The analytics stream consumer: hourly counters, each record counted once, partial failures reported."""

from agentgate.platform.streams import make_stream_handler
from agentgate.services.analytics import AnalyticsRecorder

# A recorder per batch caches each tenant's tier.
handler = make_stream_handler(AnalyticsRecorder)

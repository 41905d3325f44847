from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.runs import IngestBatchResult
from agentgate.services import ingest

app = make_resolver()


@table_route(app, __name__)
def ingest_batch() -> IngestBatchResult:
    # The raw body is parsed by the service: the size limit is checked before any parsing.
    return ingest.ingest_batch(tenant_context(app), app.current_event.decoded_body or "")


handler = make_handler(app)

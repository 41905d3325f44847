from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.runs import IngestAccepted
from agentgate.services import ingest

app = make_resolver()


@table_route(app, __name__)
def ingest_run() -> IngestAccepted:
    # The raw body is parsed by the service: the size limit is checked before any parsing.
    return ingest.ingest_run(tenant_context(app), app.current_event.decoded_body or "")


handler = make_handler(app)

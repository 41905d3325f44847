from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.common import PageQuery
from agentgate.schemas.runs import RunEventPage
from agentgate.services import dashboards

app = make_resolver()


@table_route(app, __name__)
def list_run_events(run_id: str) -> RunEventPage:
    query = PageQuery.model_validate(app.current_event.query_string_parameters or {})
    return dashboards.run_events(tenant_context(app), run_id, query)


handler = make_handler(app)

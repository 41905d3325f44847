from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.runs import RunPage, RunQuery
from agentgate.services import dashboards

app = make_resolver()


@table_route(app, __name__)
def list_runs() -> RunPage:
    query = RunQuery.model_validate(app.current_event.query_string_parameters or {})
    return dashboards.list_runs(tenant_context(app), query)


handler = make_handler(app)

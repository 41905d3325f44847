from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.runs import Run
from agentgate.services import dashboards

app = make_resolver()


@table_route(app, __name__)
def get_run(id: str) -> Run:
    return dashboards.get_run(tenant_context(app), id)


handler = make_handler(app)

from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.costs import CostQuery, CostReport
from agentgate.services import costs

app = make_resolver()


@table_route(app, __name__)
def cost_summary() -> CostReport:
    query = CostQuery.model_validate(app.current_event.query_string_parameters or {})
    return costs.org_costs(tenant_context(app), query)


handler = make_handler(app)

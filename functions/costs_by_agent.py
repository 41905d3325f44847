from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.costs import CostQuery, CostReport
from agentgate.services import costs

app = make_resolver()


@table_route(app, __name__)
def cost_by_agent(id: str) -> CostReport:
    query = CostQuery.model_validate(app.current_event.query_string_parameters or {})
    return costs.agent_costs(tenant_context(app), id, query)


handler = make_handler(app)

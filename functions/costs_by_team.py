from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.costs import CostQuery, CostReport
from agentgate.services import costs

app = make_resolver()


@table_route(app, __name__)
def cost_by_team(name: str) -> CostReport:
    query = CostQuery.model_validate(app.current_event.query_string_parameters or {})
    return costs.team_costs(tenant_context(app), name, query)


handler = make_handler(app)

from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.agents import AgentPage, AgentQuery
from agentgate.services import agents

app = make_resolver()


@table_route(app, __name__)
def list_agents() -> AgentPage:
    query = AgentQuery.model_validate(app.current_event.query_string_parameters or {})
    return agents.list_agents(tenant_context(app), query)


handler = make_handler(app)

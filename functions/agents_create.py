from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.agents import Agent, AgentCreate
from agentgate.services import agents

app = make_resolver()


@table_route(app, __name__)
def create_agent(request: AgentCreate) -> Agent:
    return agents.create(tenant_context(app), request)


handler = make_handler(app)

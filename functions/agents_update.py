from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.agents import Agent, AgentUpdate
from agentgate.services import agents

app = make_resolver()


@table_route(app, __name__)
def update_agent(id: str, request: AgentUpdate) -> Agent:
    return agents.update(tenant_context(app), id, request)


handler = make_handler(app)

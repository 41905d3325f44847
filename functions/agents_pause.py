from agentgate.platform.api import make_handler, make_resolver, optional_body, table_route, tenant_context
from agentgate.schemas.agents import Agent, PauseRequest
from agentgate.services import agents

app = make_resolver()


@table_route(app, __name__)
def pause_agent(id: str) -> Agent:
    request = optional_body(app, PauseRequest)
    return agents.pause(tenant_context(app), id, request.reason)


handler = make_handler(app)

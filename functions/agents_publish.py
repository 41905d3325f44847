from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.agents import Agent
from agentgate.services import marketplace

app = make_resolver()


@table_route(app, __name__)
def publish_agent(id: str) -> Agent:
    return marketplace.publish(tenant_context(app), id)


handler = make_handler(app)

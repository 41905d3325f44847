from agentgate.platform.api import make_handler, make_resolver, tenant_context
from agentgate.schemas.agents import Agent
from agentgate.services import marketplace

app = make_resolver()


@app.post("/api/v1/agents/<id>/publish")
def publish_agent(id: str) -> Agent:
    return marketplace.publish(tenant_context(app), id)


handler = make_handler(app)

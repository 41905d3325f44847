from agentgate.platform.api import make_handler, make_resolver, tenant_context
from agentgate.schemas.agents import Agent
from agentgate.services import agents

app = make_resolver()


@app.post("/api/v1/agents/<id>/resume")
def resume_agent(id: str) -> Agent:
    return agents.resume(tenant_context(app), id)


handler = make_handler(app)

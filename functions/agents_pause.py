from agentgate.platform.api import make_handler, make_resolver, tenant_context
from agentgate.schemas.agents import Agent, PauseRequest
from agentgate.services import agents

app = make_resolver()


@app.post("/api/v1/agents/<id>/pause")
def pause_agent(id: str) -> Agent:
    body = app.current_event.body
    request = PauseRequest.model_validate_json(body) if body else PauseRequest()
    return agents.pause(tenant_context(app), id, request.reason)


handler = make_handler(app)

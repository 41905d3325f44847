from agentgate.platform.api import make_handler, make_resolver, tenant_context
from agentgate.schemas.emergency import EmergencyPauseRequest, EmergencyState
from agentgate.services import emergency

app = make_resolver()


@app.post("/api/v1/emergency/pause-all")
def pause_all() -> EmergencyState:
    body = app.current_event.body
    request = EmergencyPauseRequest.model_validate_json(body) if body else EmergencyPauseRequest()
    return emergency.pause_all(tenant_context(app), request)


handler = make_handler(app)

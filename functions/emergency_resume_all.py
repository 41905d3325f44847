from agentgate.platform.api import make_handler, make_resolver, tenant_context
from agentgate.schemas.emergency import EmergencyResumeRequest, EmergencyState
from agentgate.services import emergency

app = make_resolver()


@app.post("/api/v1/emergency/resume-all")
def resume_all() -> EmergencyState:
    body = app.current_event.body
    request = EmergencyResumeRequest.model_validate_json(body) if body else EmergencyResumeRequest()
    return emergency.resume_all(tenant_context(app), request)


handler = make_handler(app)

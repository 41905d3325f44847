from agentgate.platform.api import make_handler, make_resolver, optional_body, table_route, tenant_context
from agentgate.schemas.emergency import EmergencyResumeRequest, EmergencyState
from agentgate.services import emergency

app = make_resolver()


@table_route(app, __name__)
def resume_all() -> EmergencyState:
    request = optional_body(app, EmergencyResumeRequest)
    return emergency.resume_all(tenant_context(app), request)


handler = make_handler(app)

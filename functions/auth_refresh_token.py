from agentgate.platform.api import make_handler, make_resolver, table_route
from agentgate.schemas.tenants import LoginResult, RefreshRequest
from agentgate.services import tenants

app = make_resolver()


@table_route(app, __name__)
def refresh_token(request: RefreshRequest) -> LoginResult:
    return tenants.refresh(request)


handler = make_handler(app)

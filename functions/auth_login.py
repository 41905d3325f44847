from agentgate.platform.api import make_handler, make_resolver, table_route
from agentgate.schemas.tenants import LoginRequest, LoginResult
from agentgate.services import tenants

app = make_resolver()


@table_route(app, __name__)
def login(request: LoginRequest) -> LoginResult:
    return tenants.login(request)


handler = make_handler(app)

from agentgate.platform.api import make_handler, make_resolver, table_route
from agentgate.schemas.tenants import SignupRequest, SignupResult
from agentgate.services import tenants

app = make_resolver()


@table_route(app, __name__)
def signup(request: SignupRequest) -> SignupResult:
    return tenants.signup(request)


handler = make_handler(app)

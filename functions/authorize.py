from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.authorization import AuthorizeDecision, AuthorizeRequest
from agentgate.services import authorization

app = make_resolver()


@table_route(app, __name__)
def authorize(request: AuthorizeRequest) -> AuthorizeDecision:
    return authorization.authorize(tenant_context(app), request)


handler = make_handler(app)

from aws_lambda_powertools.event_handler import Response

from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.services import tenants

app = make_resolver()


@table_route(app, __name__)
def logout() -> Response[None]:
    tenants.logout(tenant_context(app))
    return Response(status_code=204)


handler = make_handler(app)

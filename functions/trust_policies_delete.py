from aws_lambda_powertools.event_handler import Response

from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.services import trust_policies

app = make_resolver()


@table_route(app, __name__)
def delete_trust_policy(id: str) -> Response[None]:
    trust_policies.delete(tenant_context(app), id)
    return Response(status_code=204)


handler = make_handler(app)

from aws_lambda_powertools.event_handler import Response

from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.services import credentials

app = make_resolver()


@table_route(app, __name__)
def revoke_credential(id: str, credential_id: str) -> Response[None]:
    credentials.revoke_credential(tenant_context(app), id, credential_id)
    return Response(status_code=204)


handler = make_handler(app)

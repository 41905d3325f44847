from aws_lambda_powertools.event_handler import Response

from agentgate.platform.api import make_handler, make_resolver, tenant_context
from agentgate.services import credentials

app = make_resolver()


@app.delete("/api/v1/agents/<id>/credentials/<credential_id>")
def revoke_credential(id: str, credential_id: str) -> Response[None]:
    credentials.revoke_credential(tenant_context(app), id, credential_id)
    return Response(status_code=204)


handler = make_handler(app)

from aws_lambda_powertools.event_handler import Response

from agentgate.platform.api import make_handler, make_resolver, tenant_context
from agentgate.services import members

app = make_resolver()


@app.delete("/api/v1/org-members/<id>")
def remove_member(id: str) -> Response[None]:
    members.remove(tenant_context(app), id)
    return Response(status_code=204)


handler = make_handler(app)

from aws_lambda_powertools.event_handler import Response

from agentgate.platform.api import make_handler, make_resolver, tenant_context
from agentgate.services import tenants

app = make_resolver()


@app.post("/api/v1/auth/logout")
def logout() -> Response[None]:
    tenants.logout(tenant_context(app))
    return Response(status_code=204)


handler = make_handler(app)

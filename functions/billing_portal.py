from agentgate.platform.api import make_handler, make_resolver, tenant_context
from agentgate.schemas.billing import PortalSession
from agentgate.services import billing

app = make_resolver()


@app.post("/api/v1/billing/portal", status_code=201)
def open_portal() -> PortalSession:
    return billing.portal(tenant_context(app))


handler = make_handler(app)

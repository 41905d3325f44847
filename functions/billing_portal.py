from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.billing import PortalSession
from agentgate.services import billing

app = make_resolver()


@table_route(app, __name__)
def open_portal() -> PortalSession:
    return billing.portal(tenant_context(app))


handler = make_handler(app)

from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.tenants import OrgProfile
from agentgate.services import tenants

app = make_resolver()


@table_route(app, __name__)
def get_profile() -> OrgProfile:
    return tenants.get_profile(tenant_context(app))


handler = make_handler(app)

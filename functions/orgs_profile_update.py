from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.tenants import OrgProfile, OrgProfileUpdate
from agentgate.services import tenants

app = make_resolver()


@table_route(app, __name__)
def update_profile(request: OrgProfileUpdate) -> OrgProfile:
    return tenants.update_profile(tenant_context(app), request)


handler = make_handler(app)

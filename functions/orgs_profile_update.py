from agentgate.platform.api import make_handler, make_resolver, tenant_context
from agentgate.schemas.tenants import OrgProfile, OrgProfileUpdate
from agentgate.services import tenants

app = make_resolver()


@app.patch("/api/v1/orgs/profile")
def update_profile(request: OrgProfileUpdate) -> OrgProfile:
    return tenants.update_profile(tenant_context(app), request)


handler = make_handler(app)

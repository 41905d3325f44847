from agentgate.platform.api import make_handler, make_resolver, tenant_context
from agentgate.schemas.tenants import OrgProfile
from agentgate.services import tenants

app = make_resolver()


@app.get("/api/v1/orgs/profile")
def get_profile() -> OrgProfile:
    return tenants.get_profile(tenant_context(app))


handler = make_handler(app)

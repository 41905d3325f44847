from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.policies import Policy, PolicyCreate
from agentgate.services import policies

app = make_resolver()


@table_route(app, __name__)
def create_policy(request: PolicyCreate) -> Policy:
    return policies.create_policy(tenant_context(app), request)


handler = make_handler(app)

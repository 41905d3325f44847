from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.policies import Policy, PolicyUpdate
from agentgate.services import policies

app = make_resolver()


@table_route(app, __name__)
def update_policy(id: str, request: PolicyUpdate) -> Policy:
    return policies.update_policy(tenant_context(app), id, request)


handler = make_handler(app)

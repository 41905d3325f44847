from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.policies import Policy
from agentgate.services import policies

app = make_resolver()


@table_route(app, __name__)
def get_policy(id: str) -> Policy:
    return policies.get_policy(tenant_context(app), id)


handler = make_handler(app)

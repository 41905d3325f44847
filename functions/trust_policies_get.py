from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.federation import TrustPolicy
from agentgate.services import trust_policies

app = make_resolver()


@table_route(app, __name__)
def get_trust_policy(id: str) -> TrustPolicy:
    return trust_policies.get(tenant_context(app), id)


handler = make_handler(app)

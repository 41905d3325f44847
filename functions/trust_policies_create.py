from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.federation import TrustPolicy, TrustPolicyCreate
from agentgate.services import trust_policies

app = make_resolver()


@table_route(app, __name__)
def create_trust_policy(request: TrustPolicyCreate) -> TrustPolicy:
    return trust_policies.create(tenant_context(app), request)


handler = make_handler(app)

from agentgate.platform.api import make_handler, make_resolver, tenant_context
from agentgate.schemas.federation import TrustPolicy, TrustPolicyCreate
from agentgate.services import trust_policies

app = make_resolver()


@app.post("/api/v1/oidc/trust-policies", status_code=201)
def create_trust_policy(request: TrustPolicyCreate) -> TrustPolicy:
    return trust_policies.create(tenant_context(app), request)


handler = make_handler(app)

from agentgate.platform.api import make_handler, make_resolver, tenant_context
from agentgate.schemas.policies import Policy
from agentgate.services import policies

app = make_resolver()


@app.get("/api/v1/policies/<id>")
def get_policy(id: str) -> Policy:
    return policies.get_policy(tenant_context(app), id)


handler = make_handler(app)

from agentgate.platform.api import make_handler, make_resolver, tenant_context
from agentgate.schemas.policies import PolicyPage, PolicyQuery
from agentgate.services import policies

app = make_resolver()


@app.get("/api/v1/policies")
def list_policies() -> PolicyPage:
    query = PolicyQuery.model_validate(app.current_event.query_string_parameters or {})
    return policies.list_policies(tenant_context(app), query)


handler = make_handler(app)

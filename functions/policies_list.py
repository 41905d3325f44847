from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.policies import PolicyPage, PolicyQuery
from agentgate.services import policies

app = make_resolver()


@table_route(app, __name__)
def list_policies() -> PolicyPage:
    query = PolicyQuery.model_validate(app.current_event.query_string_parameters or {})
    return policies.list_policies(tenant_context(app), query)


handler = make_handler(app)

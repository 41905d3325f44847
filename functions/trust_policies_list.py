from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.federation import TrustPolicyPage, TrustPolicyQuery
from agentgate.services import trust_policies

app = make_resolver()


@table_route(app, __name__)
def list_trust_policies() -> TrustPolicyPage:
    query = TrustPolicyQuery.model_validate(app.current_event.query_string_parameters or {})
    return trust_policies.list_policies(tenant_context(app), query)


handler = make_handler(app)

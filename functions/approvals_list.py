from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.approvals import ApprovalPage, ApprovalQuery
from agentgate.services import approvals

app = make_resolver()


@table_route(app, __name__)
def list_approvals() -> ApprovalPage:
    query = ApprovalQuery.model_validate(app.current_event.query_string_parameters or {})
    return approvals.list_approvals(tenant_context(app), query)


handler = make_handler(app)

from agentgate.platform.api import make_handler, make_resolver, optional_body, table_route, tenant_context
from agentgate.schemas.approvals import Approval, ApprovalDecisionRequest
from agentgate.services import approvals

app = make_resolver()


@table_route(app, __name__)
def reject(id: str) -> Approval:
    request = optional_body(app, ApprovalDecisionRequest)
    return approvals.decide(tenant_context(app), id, approvals.REJECTED, request.comment)


handler = make_handler(app)

from agentgate.platform.api import make_handler, make_resolver, tenant_context
from agentgate.schemas.approvals import Approval, ApprovalDecisionRequest
from agentgate.services import approvals

app = make_resolver()


@app.post("/api/v1/approvals/<id>/reject")
def reject(id: str) -> Approval:
    body = app.current_event.body
    request = ApprovalDecisionRequest.model_validate_json(body) if body else ApprovalDecisionRequest()
    return approvals.decide(tenant_context(app), id, approvals.REJECTED, request.comment)


handler = make_handler(app)

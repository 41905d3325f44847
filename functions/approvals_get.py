from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.approvals import Approval
from agentgate.services import approvals

app = make_resolver()


@table_route(app, __name__)
def get_approval(id: str) -> Approval:
    return approvals.get(tenant_context(app), id)


handler = make_handler(app)

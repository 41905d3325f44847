from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.common import PageQuery
from agentgate.schemas.members import MemberPage
from agentgate.services import members

app = make_resolver()


@table_route(app, __name__)
def list_members() -> MemberPage:
    query = PageQuery.model_validate(app.current_event.query_string_parameters or {})
    return members.list_members(tenant_context(app), query)


handler = make_handler(app)

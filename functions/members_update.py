from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.members import Member, MemberUpdate
from agentgate.services import members

app = make_resolver()


@table_route(app, __name__)
def update_member(id: str, request: MemberUpdate) -> Member:
    return members.update(tenant_context(app), id, request)


handler = make_handler(app)

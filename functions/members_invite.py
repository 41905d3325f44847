from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.members import Member, MemberInvite
from agentgate.services import members

app = make_resolver()


@table_route(app, __name__)
def invite_member(request: MemberInvite) -> Member:
    return members.invite(tenant_context(app), request)


handler = make_handler(app)

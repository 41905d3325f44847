from agentgate.platform.api import make_handler, make_resolver, tenant_context
from agentgate.schemas.members import Member, MemberInvite
from agentgate.services import members

app = make_resolver()


@app.post("/api/v1/org-members", status_code=201)
def invite_member(request: MemberInvite) -> Member:
    return members.invite(tenant_context(app), request)


handler = make_handler(app)

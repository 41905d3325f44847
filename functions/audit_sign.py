from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.audit import AuditHeadSignature
from agentgate.services import audit_signing

app = make_resolver()


@table_route(app, __name__)
def sign_audit_head() -> AuditHeadSignature:
    return audit_signing.sign_now(tenant_context(app))


handler = make_handler(app)

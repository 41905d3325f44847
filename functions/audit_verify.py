from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.audit import AuditVerification
from agentgate.services import audit_signing

app = make_resolver()


@table_route(app, __name__)
def verify_audit_chain() -> AuditVerification:
    return audit_signing.verify(tenant_context(app))


handler = make_handler(app)

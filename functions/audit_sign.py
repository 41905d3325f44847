from agentgate.platform.api import make_handler, make_resolver, tenant_context
from agentgate.schemas.audit import AuditHeadSignature
from agentgate.services import audit_signing

app = make_resolver()


@app.post("/api/v1/audit/sign")
def sign_audit_head() -> AuditHeadSignature:
    return audit_signing.sign_now(tenant_context(app))


handler = make_handler(app)

from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.compliance import ComplianceReport
from agentgate.services import compliance

app = make_resolver()


@table_route(app, __name__)
def compliance_report() -> ComplianceReport:
    return compliance.report(tenant_context(app))


handler = make_handler(app)

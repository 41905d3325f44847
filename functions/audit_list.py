from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.audit import AuditEntryPage, AuditQuery
from agentgate.services import audit

app = make_resolver()


@table_route(app, __name__)
def list_audit_entries() -> AuditEntryPage:
    query = AuditQuery.model_validate(app.current_event.query_string_parameters or {})
    return audit.list_entries(tenant_context(app), query)


handler = make_handler(app)

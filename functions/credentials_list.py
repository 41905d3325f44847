from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.common import PageQuery
from agentgate.schemas.credentials import CredentialPage
from agentgate.services import credentials

app = make_resolver()


@table_route(app, __name__)
def list_credentials(id: str) -> CredentialPage:
    query = PageQuery.model_validate(app.current_event.query_string_parameters or {})
    return credentials.list_credentials(tenant_context(app), id, query)


handler = make_handler(app)

from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.api_keys import ApiKeyPage
from agentgate.schemas.common import PageQuery
from agentgate.services import api_keys

app = make_resolver()


@table_route(app, __name__)
def list_api_keys() -> ApiKeyPage:
    query = PageQuery.model_validate(app.current_event.query_string_parameters or {})
    return api_keys.list_keys(tenant_context(app), query)


handler = make_handler(app)

from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.api_keys import ApiKeyCreate, CreatedApiKey
from agentgate.services import api_keys

app = make_resolver()


@table_route(app, __name__)
def create_api_key(request: ApiKeyCreate) -> CreatedApiKey:
    return api_keys.create(tenant_context(app), request)


handler = make_handler(app)

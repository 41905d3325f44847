from agentgate.platform.api import make_handler, make_resolver, table_route
from agentgate.schemas.oauth import AuthorizationServerMetadata
from agentgate.services import discovery

app = make_resolver()


@table_route(app, __name__)
def get_openid_configuration() -> AuthorizationServerMetadata:
    return discovery.metadata()


handler = make_handler(app)

from agentgate.platform.api import make_handler, make_resolver
from agentgate.schemas.oauth import AuthorizationServerMetadata
from agentgate.services import discovery

app = make_resolver()


@app.get("/.well-known/oauth-authorization-server")
def get_authorization_server_metadata() -> AuthorizationServerMetadata:
    return discovery.metadata()


handler = make_handler(app)

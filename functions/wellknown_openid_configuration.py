from agentgate.platform.api import make_handler, make_resolver
from agentgate.schemas.oauth import AuthorizationServerMetadata
from agentgate.services import discovery

app = make_resolver()


@app.get("/.well-known/openid-configuration")
def get_openid_configuration() -> AuthorizationServerMetadata:
    return discovery.metadata()


handler = make_handler(app)

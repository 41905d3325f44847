from agentgate.platform.api import make_handler, make_resolver, table_route
from agentgate.schemas.oauth import JwkSet
from agentgate.services import jwks

app = make_resolver()


@table_route(app, __name__)
def get_jwks() -> JwkSet:
    return jwks.key_set()


handler = make_handler(app)

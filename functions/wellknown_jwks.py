from agentgate.platform.api import make_handler, make_resolver
from agentgate.schemas.oauth import JwkSet
from agentgate.services import jwks

app = make_resolver()


@app.get("/.well-known/jwks.json")
def get_jwks() -> JwkSet:
    return jwks.key_set()


handler = make_handler(app)

from agentgate.platform.api import make_handler, make_resolver
from agentgate.schemas.health import Health
from agentgate.services import health

app = make_resolver()


@app.get("/health")
def get_health() -> Health:
    return health.liveness()


handler = make_handler(app)

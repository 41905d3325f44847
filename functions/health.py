from agentgate.platform.api import make_handler, make_resolver, table_route
from agentgate.schemas.health import Health
from agentgate.services import health

app = make_resolver()


@table_route(app, __name__)
def get_health() -> Health:
    return health.liveness()


handler = make_handler(app)

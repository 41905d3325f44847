from agentgate.platform.api import make_handler, make_resolver, table_route
from agentgate.schemas.tiers import TierList
from agentgate.services import tiers

app = make_resolver()


@table_route(app, __name__)
def list_tiers() -> TierList:
    return tiers.list_tiers()


handler = make_handler(app)

from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.costs import PriceOverrideList
from agentgate.services import costs

app = make_resolver()


@table_route(app, __name__)
def list_price_overrides() -> PriceOverrideList:
    return costs.list_price_overrides(tenant_context(app))


handler = make_handler(app)

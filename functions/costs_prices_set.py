from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.costs import PriceOverride, PriceOverrideIn
from agentgate.services import costs

app = make_resolver()


@table_route(app, __name__)
def set_price_override(request: PriceOverrideIn) -> PriceOverride:
    return costs.set_price_override(tenant_context(app), request)


handler = make_handler(app)

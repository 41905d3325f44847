from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.analytics import TierUsage
from agentgate.services import analytics

app = make_resolver()


@table_route(app, __name__)
def tier_usage() -> TierUsage:
    return analytics.tier_usage(tenant_context(app))


handler = make_handler(app)

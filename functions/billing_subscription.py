from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.billing import Subscription
from agentgate.services import billing

app = make_resolver()


@table_route(app, __name__)
def get_subscription() -> Subscription:
    return billing.get_subscription(tenant_context(app))


handler = make_handler(app)

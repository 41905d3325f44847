from agentgate.platform.api import make_handler, make_resolver, tenant_context
from agentgate.schemas.billing import Subscription
from agentgate.services import billing

app = make_resolver()


@app.get("/api/v1/billing/subscription")
def get_subscription() -> Subscription:
    return billing.get_subscription(tenant_context(app))


handler = make_handler(app)

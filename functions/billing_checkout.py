from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.billing import CheckoutRequest, CheckoutSession
from agentgate.services import billing

app = make_resolver()


@table_route(app, __name__)
def start_checkout(request: CheckoutRequest) -> CheckoutSession:
    return billing.checkout(tenant_context(app), request)


handler = make_handler(app)

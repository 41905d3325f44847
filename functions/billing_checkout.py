from agentgate.platform.api import make_handler, make_resolver, tenant_context
from agentgate.schemas.billing import CheckoutRequest, CheckoutSession
from agentgate.services import billing

app = make_resolver()


@app.post("/api/v1/billing/checkout", status_code=201)
def start_checkout(request: CheckoutRequest) -> CheckoutSession:
    return billing.checkout(tenant_context(app), request)


handler = make_handler(app)

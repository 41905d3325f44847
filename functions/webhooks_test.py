from agentgate.platform.api import make_handler, make_resolver, tenant_context
from agentgate.schemas.webhooks import WebhookDelivery
from agentgate.services import webhooks

app = make_resolver()


@app.post("/api/v1/webhooks/<id>/test", status_code=202)
def send_test_delivery(id: str) -> WebhookDelivery:
    return webhooks.send_test(tenant_context(app), id)


handler = make_handler(app)

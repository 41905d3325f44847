from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.webhooks import WebhookDelivery
from agentgate.services import webhooks

app = make_resolver()


@table_route(app, __name__)
def send_test_delivery(id: str) -> WebhookDelivery:
    return webhooks.send_test(tenant_context(app), id)


handler = make_handler(app)

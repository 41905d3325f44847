from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.webhooks import WebhookCreate, WebhookCreated
from agentgate.services import webhooks

app = make_resolver()


@table_route(app, __name__)
def create_webhook(request: WebhookCreate) -> WebhookCreated:
    return webhooks.create_webhook(tenant_context(app), request)


handler = make_handler(app)

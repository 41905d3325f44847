from agentgate.platform.api import make_handler, make_resolver, tenant_context
from agentgate.schemas.webhooks import WebhookCreate, WebhookCreated
from agentgate.services import webhooks

app = make_resolver()


@app.post("/api/v1/webhooks", status_code=201)
def create_webhook(request: WebhookCreate) -> WebhookCreated:
    return webhooks.create_webhook(tenant_context(app), request)


handler = make_handler(app)

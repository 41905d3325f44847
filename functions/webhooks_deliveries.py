from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.webhooks import DeliveryQuery, WebhookDeliveryPage
from agentgate.services import webhooks

app = make_resolver()


@table_route(app, __name__)
def list_deliveries(id: str) -> WebhookDeliveryPage:
    query = DeliveryQuery.model_validate(app.current_event.query_string_parameters or {})
    return webhooks.list_deliveries(tenant_context(app), id, query)


handler = make_handler(app)

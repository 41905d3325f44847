from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.common import PageQuery
from agentgate.schemas.webhooks import WebhookPage
from agentgate.services import webhooks

app = make_resolver()


@table_route(app, __name__)
def list_webhooks() -> WebhookPage:
    query = PageQuery.model_validate(app.current_event.query_string_parameters or {})
    return webhooks.list_webhooks(tenant_context(app), query)


handler = make_handler(app)

from agentgate.platform.api import make_handler, make_resolver, table_route
from agentgate.schemas.marketplace import MarketplacePage, MarketplaceQuery
from agentgate.services import marketplace

app = make_resolver()


@table_route(app, __name__)
def list_marketplace() -> MarketplacePage:
    query = MarketplaceQuery.model_validate(app.current_event.query_string_parameters or {})
    return marketplace.list_published(query)


handler = make_handler(app)

from agentgate.platform.api import make_handler, make_resolver, table_route
from agentgate.schemas.prices import PricePage, PriceQuery
from agentgate.services import prices

app = make_resolver()


@table_route(app, __name__)
def list_prices() -> PricePage:
    query = PriceQuery.model_validate(app.current_event.query_string_parameters or {})
    return prices.list_prices(query)


handler = make_handler(app)

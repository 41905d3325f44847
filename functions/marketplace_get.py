from agentgate.platform.api import make_handler, make_resolver, table_route
from agentgate.schemas.marketplace import MarketplaceAgent
from agentgate.services import marketplace

app = make_resolver()


@table_route(app, __name__)
def get_marketplace_agent(tenant_id: str, agent_id: str) -> MarketplaceAgent:
    return marketplace.get_published(tenant_id, agent_id)


handler = make_handler(app)

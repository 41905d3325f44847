from agentgate.platform.api import make_handler, make_resolver
from agentgate.schemas.marketplace import MarketplaceAgent
from agentgate.services import marketplace

app = make_resolver()


@app.get("/api/v1/marketplace/agents/<tenant_id>/<agent_id>")
def get_marketplace_agent(tenant_id: str, agent_id: str) -> MarketplaceAgent:
    return marketplace.get_published(tenant_id, agent_id)


handler = make_handler(app)

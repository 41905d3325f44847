from agentgate.platform.api import make_handler, make_resolver
from agentgate.schemas.tiers import TierList
from agentgate.services import tiers

app = make_resolver()


@app.get("/api/v1/tiers")
def list_tiers() -> TierList:
    return tiers.list_tiers()


handler = make_handler(app)

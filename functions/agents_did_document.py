from agentgate.platform.api import make_handler, make_resolver, table_route
from agentgate.schemas.marketplace import DidDocument
from agentgate.services import marketplace

app = make_resolver()


@table_route(app, __name__)
def did_document(tenant_id: str, agent_id: str) -> DidDocument:
    return DidDocument.model_validate(marketplace.did_document(tenant_id, agent_id))


handler = make_handler(app)

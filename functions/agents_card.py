from agentgate.platform.api import make_handler, make_resolver, table_route
from agentgate.schemas.marketplace import AgentCard
from agentgate.services import marketplace

app = make_resolver()


@table_route(app, __name__)
def agent_card(id: str) -> AgentCard:
    authorization = app.current_event.get_header_value("Authorization", case_sensitive=False)
    return AgentCard.model_validate(marketplace.card(id, authorization))


handler = make_handler(app)

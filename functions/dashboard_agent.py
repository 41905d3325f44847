from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.analytics import AgentDashboard
from agentgate.services import dashboards

app = make_resolver()


@table_route(app, __name__)
def dashboard_agent(id: str) -> AgentDashboard:
    return dashboards.agent(tenant_context(app), id)


handler = make_handler(app)

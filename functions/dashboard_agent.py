from agentgate.platform.api import make_handler, make_resolver, tenant_context
from agentgate.schemas.analytics import AgentDashboard
from agentgate.services import dashboards

app = make_resolver()


@app.get("/api/v1/dashboard/agent/<id>")
def dashboard_agent(id: str) -> AgentDashboard:
    return dashboards.agent(tenant_context(app), id)


handler = make_handler(app)

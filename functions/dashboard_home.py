from agentgate.platform.api import make_handler, make_resolver, tenant_context
from agentgate.schemas.analytics import DashboardHome
from agentgate.services import dashboards

app = make_resolver()


@app.get("/api/v1/dashboard/home")
def dashboard_home() -> DashboardHome:
    return dashboards.home(tenant_context(app))


handler = make_handler(app)

from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.analytics import DashboardHome
from agentgate.services import dashboards

app = make_resolver()


@table_route(app, __name__)
def dashboard_home() -> DashboardHome:
    return dashboards.home(tenant_context(app))


handler = make_handler(app)

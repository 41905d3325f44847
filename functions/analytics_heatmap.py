from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.analytics import AnalyticsQuery, Heatmap
from agentgate.services import analytics

app = make_resolver()


@table_route(app, __name__)
def analytics_heatmap() -> Heatmap:
    query = AnalyticsQuery.model_validate(app.current_event.query_string_parameters or {})
    return analytics.heatmap(tenant_context(app), query)


handler = make_handler(app)

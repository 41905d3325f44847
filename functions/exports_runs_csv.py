from aws_lambda_powertools.event_handler import Response

from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.runs import ExportQuery
from agentgate.services import exports

app = make_resolver()


@table_route(app, __name__)
def export_runs_csv() -> Response[str]:
    query = ExportQuery.model_validate(app.current_event.query_string_parameters or {})
    export = exports.runs_csv(tenant_context(app), query)
    return Response(status_code=200, content_type=exports.CSV, body=export.text(), headers=export.headers())


handler = make_handler(app)

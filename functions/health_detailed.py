from aws_lambda_powertools.event_handler import Response, content_types

from agentgate.platform.api import make_handler, make_resolver, table_route
from agentgate.schemas.health import DetailedHealth
from agentgate.services import health

app = make_resolver()


@table_route(app, __name__)
def get_detailed_health() -> Response[DetailedHealth]:
    report = health.detailed()
    return Response(
        status_code=health.http_status(report), content_type=content_types.APPLICATION_JSON, body=report
    )


handler = make_handler(app)

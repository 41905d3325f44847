import base64

from aws_lambda_powertools.event_handler import Response

from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.services import otel

app = make_resolver()


@table_route(app, __name__)
def export_traces() -> Response[bytes]:
    # The body is bytes (protobuf, gzip): read it raw, not as the resolver's decoded text.
    event = app.current_event
    raw = event.body or ""
    body = base64.b64decode(raw) if event.is_base64_encoded else raw.encode()
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    answer, content_type = otel.export_traces(
        tenant_context(app), body, headers.get("content-type", ""), headers.get("content-encoding", "")
    )
    return Response(status_code=200, content_type=content_type, body=answer)


handler = make_handler(app)

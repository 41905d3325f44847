from aws_lambda_powertools.event_handler import Response

from agentgate.auth.http import make_oauth_resolver, no_store, parse_form, presented_caller, read_form
from agentgate.platform.api import make_handler, table_route
from agentgate.schemas.oauth import Introspection, IntrospectionRequest
from agentgate.services import oauth

app = make_oauth_resolver()


@table_route(app, __name__)
def introspect_token() -> Response[Introspection]:
    form = read_form(app.current_event)
    request = parse_form(IntrospectionRequest, form)
    caller = presented_caller(app.current_event, form, allow_api_key=True)
    return no_store(oauth.introspect(request, caller))


handler = make_handler(app)

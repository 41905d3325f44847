from aws_lambda_powertools.event_handler import Response

from agentgate.auth.http import make_oauth_resolver, no_store, optional_client, parse_form, read_form
from agentgate.platform.api import make_handler, table_route
from agentgate.schemas.oauth import TokenRequest, TokenResponse
from agentgate.services import oauth

app = make_oauth_resolver()


@table_route(app, __name__)
def issue_token() -> Response[TokenResponse]:
    form = read_form(app.current_event)
    request = parse_form(TokenRequest, form)
    return no_store(oauth.grant_token(request, optional_client(app.current_event, form)))


handler = make_handler(app)

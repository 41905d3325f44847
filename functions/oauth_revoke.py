from agentgate.auth.http import make_oauth_resolver, parse_form, presented_caller, read_form
from agentgate.platform.api import make_handler, table_route
from agentgate.schemas.oauth import Revocation, RevocationRequest
from agentgate.services import oauth

app = make_oauth_resolver()


@table_route(app, __name__)
def revoke_token() -> Revocation:
    form = read_form(app.current_event)
    request = parse_form(RevocationRequest, form)
    oauth.revoke(request, presented_caller(app.current_event, form, allow_api_key=True))
    return Revocation()


handler = make_handler(app)

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.credentials import CreateCredential, IssuedCredential
from agentgate.services import credentials

app = make_resolver()


@table_route(app, __name__)
def create_credential(
    id: str, request: Annotated[CreateCredential | None, Body()] = None
) -> IssuedCredential:
    return credentials.issue_credential(tenant_context(app), id, request or CreateCredential())


handler = make_handler(app)

from agentgate import openapi
from agentgate.platform.api import make_handler, make_resolver, table_route

app = make_resolver()


@table_route(app, __name__)
def get_openapi_document() -> dict:
    return openapi.document()


handler = make_handler(app)

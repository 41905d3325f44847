from agentgate import openapi
from agentgate.platform.api import make_handler, make_resolver

app = make_resolver()


@app.get("/openapi.json")
def get_openapi_document() -> dict:
    return openapi.document()


handler = make_handler(app)

from agentgate.platform.api import make_handler, make_resolver
from agentgate.schemas.tenants import LoginResult, RefreshRequest
from agentgate.services import tenants

app = make_resolver()


@app.post("/api/v1/auth/refresh-token")
def refresh_token(request: RefreshRequest) -> LoginResult:
    return tenants.refresh(request)


handler = make_handler(app)

from agentgate.platform.api import make_handler, make_resolver
from agentgate.schemas.tenants import LoginRequest, LoginResult
from agentgate.services import tenants

app = make_resolver()


@app.post("/api/v1/auth/login")
def login(request: LoginRequest) -> LoginResult:
    return tenants.login(request)


handler = make_handler(app)

from agentgate.platform.api import make_handler, make_resolver
from agentgate.schemas.tenants import SignupRequest, SignupResult
from agentgate.services import tenants

app = make_resolver()


@app.post("/api/v1/auth/signup", status_code=201)
def signup(request: SignupRequest) -> SignupResult:
    return tenants.signup(request)


handler = make_handler(app)

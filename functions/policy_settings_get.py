from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.policies import GovernanceSettings
from agentgate.services import policies

app = make_resolver()


@table_route(app, __name__)
def get_policy_settings() -> GovernanceSettings:
    return policies.get_settings(tenant_context(app))


handler = make_handler(app)

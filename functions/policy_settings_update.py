from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.policies import GovernanceSettings, GovernanceSettingsUpdate
from agentgate.services import policies

app = make_resolver()


@table_route(app, __name__)
def update_policy_settings(request: GovernanceSettingsUpdate) -> GovernanceSettings:
    return policies.update_settings(tenant_context(app), request)


handler = make_handler(app)

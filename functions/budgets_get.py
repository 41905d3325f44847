from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.budgets import Budget
from agentgate.services import budgets

app = make_resolver()


@table_route(app, __name__)
def get_budget(id: str) -> Budget:
    return budgets.get_budget(tenant_context(app), id)


handler = make_handler(app)

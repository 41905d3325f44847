from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.budgets import Budget, BudgetCreate
from agentgate.services import budgets

app = make_resolver()


@table_route(app, __name__)
def create_budget(request: BudgetCreate) -> Budget:
    return budgets.create_budget(tenant_context(app), request)


handler = make_handler(app)

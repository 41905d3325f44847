from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.budgets import Budget, BudgetUpdate
from agentgate.services import budgets

app = make_resolver()


@table_route(app, __name__)
def update_budget(id: str, request: BudgetUpdate) -> Budget:
    return budgets.update_budget(tenant_context(app), id, request)


handler = make_handler(app)

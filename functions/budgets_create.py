from agentgate.platform.api import make_handler, make_resolver, tenant_context
from agentgate.schemas.budgets import Budget, BudgetCreate
from agentgate.services import budgets

app = make_resolver()


@app.post("/api/v1/budgets", status_code=201)
def create_budget(request: BudgetCreate) -> Budget:
    return budgets.create_budget(tenant_context(app), request)


handler = make_handler(app)

from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.budgets import BudgetPage, BudgetQuery
from agentgate.services import budgets

app = make_resolver()


@table_route(app, __name__)
def list_budgets() -> BudgetPage:
    query = BudgetQuery.model_validate(app.current_event.query_string_parameters or {})
    return budgets.list_budgets(tenant_context(app), query)


handler = make_handler(app)

from agentgate.platform.api import make_handler, make_resolver, table_route, tenant_context
from agentgate.schemas.authorization import PolicyEvaluateRequest, PolicyEvaluation
from agentgate.services import policy_evaluation

app = make_resolver()


@table_route(app, __name__)
def evaluate_policies(request: PolicyEvaluateRequest) -> PolicyEvaluation:
    return policy_evaluation.evaluate(tenant_context(app), request)


handler = make_handler(app)

"""``POST /api/v1/policies/evaluate``: what ``/authorize`` would answer, with no side effect.

The same decision as ``authorization.authorize`` (``authorization.decide``: policies, the tenant
default, the agent's budget), for an agent an admin names, optionally with a draft policy in place
of a stored one. Nothing is written: no audit entry, no approval, no budget reservation, no
analytics record. The route's function holds table read permission only, so a write could not
succeed even by mistake.
"""

from __future__ import annotations

from datetime import UTC, datetime

from agentgate.data.tenant import tenant_data
from agentgate.models import AgentItem, PolicyItem
from agentgate.platform.tenancy import TenantContext
from agentgate.policy.conditions import parse_conditions
from agentgate.policy.evaluator import PolicyRule, Request, in_scope, matches
from agentgate.schemas.authorization import PolicyEvaluateRequest, PolicyEvaluation, TestedPolicy
from agentgate.schemas.policies import PolicyCreate
from agentgate.services import authorization, policies

# The id a draft policy goes by in the decision's reasons (stored ids begin ``pol_``).
DRAFT_ID = "draft"


def _draft_rule(draft: PolicyCreate, policy_id: str | None) -> PolicyRule:
    return PolicyRule(
        policy_id=policy_id or DRAFT_ID,
        name=draft.name,
        effect=draft.action,
        conditions=draft.conditions,
        agents=tuple(draft.scope.agents),
        teams=tuple(draft.scope.teams),
        active=draft.status == "active",
    )


def _tested(rule: PolicyRule, request: Request, decided_by: set[str], saved: bool) -> TestedPolicy:
    scoped = in_scope(rule, request)
    matching = matches(parse_conditions(rule.conditions), request)
    return TestedPolicy(
        policy_id=rule.policy_id if saved else None,
        name=rule.name,
        action=rule.effect,  # type: ignore[arg-type]
        active=rule.active,
        in_scope=scoped,
        conditions_match=matching,
        applies=rule.active and scoped and matching,
        decides=rule.policy_id in decided_by,
    )


def evaluate(ctx: TenantContext, body: PolicyEvaluateRequest) -> PolicyEvaluation:
    data = tenant_data(ctx)
    agent = data.get(AgentItem, AgentItem.sk_for(body.agent_id), missing=f"No agent {body.agent_id}.")
    if body.policy_id is not None:  # the policy under test must be this tenant's
        data.get(PolicyItem, PolicyItem.sk_for(body.policy_id), missing=f"No policy {body.policy_id}.")
    at = body.at.astimezone(UTC) if body.at else datetime.now(UTC)
    rules, _ = policies.tenant_rules(ctx.tenant_id)
    tested_rule: PolicyRule | None = None
    if body.policy is not None:
        tested_rule = _draft_rule(body.policy, body.policy_id)
        rules = [rule for rule in rules if rule.policy_id != body.policy_id] + [tested_rule]
    elif body.policy_id is not None:
        tested_rule = next(rule for rule in rules if rule.policy_id == body.policy_id)
    default = policies.tenant_settings(ctx.tenant_id).default_decision
    verdict = authorization.decide(ctx.tenant_id, agent, body, at=at, rules=rules, default=default)
    decided_by = {rule.policy_id for rule in verdict.outcome.matched}
    request = authorization.evaluation_request(agent, body, at)
    return PolicyEvaluation(
        decision=verdict.decision,  # type: ignore[arg-type]
        reasons=verdict.reasons,
        matched_policy_ids=[rule.policy_id for rule in verdict.outcome.matched],
        default_decision=default,  # type: ignore[arg-type]
        evaluated_at=at,
        budget_remaining_usd=verdict.remaining,
        tested_policy=(
            _tested(tested_rule, request, decided_by, saved=body.policy is None or body.policy_id is not None)
            if tested_rule is not None
            else None
        ),
    )

"""``POST /api/v1/authorize``: policies, then the agent's budget, then (if needed) a person.

The policies decide first (deny > require_approval > allow > the tenant default). A request
that policies do not deny is still denied when the agent's budget is exhausted or the
estimated cost is more than what is left. A pending decision starts an approval workflow.
Every decision is counted for analytics; denials and pending requests are audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from agentgate.data.tenant import system_data, tenant_data
from agentgate.models import AgentItem, BudgetItem, PolicyItem
from agentgate.platform.errors import Forbidden
from agentgate.platform.tenancy import TenantContext
from agentgate.policy.evaluator import ALLOW, Outcome, PolicyRule, Request, evaluate
from agentgate.schemas.authorization import AuthorizeDecision, AuthorizeRequest, Reason
from agentgate.schemas.policies import DEFAULT_APPROVAL_TIMEOUT_SECONDS
from agentgate.services import approvals, policies, reservations

BUDGET_EXHAUSTED = "budget_exhausted"


def _policy_reasons(outcome: Outcome, action: str) -> list[Reason]:
    return [
        Reason(
            kind="policy",
            policy_id=rule.policy_id,
            policy_name=rule.name,
            effect=rule.effect,  # type: ignore[arg-type]
            message=f"policy {rule.name!r} ({rule.policy_id}) applies to {action}: {rule.effect}",
        )
        for rule in outcome.matched
    ]


def _default_reason(default: str) -> Reason:
    return Reason(kind="default", message=f"no policy applies; the tenant default is {default}")


def _budget_reason(remaining: Decimal, estimate: Decimal | None) -> Reason | None:
    if remaining <= 0:
        return Reason(
            kind="budget",
            code=BUDGET_EXHAUSTED,
            message="the agent's budget is exhausted",
            remaining_budget_usd=remaining,
        )
    if estimate is not None and estimate > remaining:
        return Reason(
            kind="budget",
            code=BUDGET_EXHAUSTED,
            message=(
                f"the estimated cost {format(estimate, 'f')} USD exceeds "
                f"the {format(remaining, 'f')} USD left"
            ),
            remaining_budget_usd=remaining,
        )
    return None


def _reservation_refused(budget: BudgetItem, estimate: Decimal) -> Reason:
    return Reason(
        kind="budget",
        code=BUDGET_EXHAUSTED,
        message=(
            f"budget {budget.name!r} ({budget.budget_id}) cannot hold the estimated "
            f"{format(estimate, 'f')} USD beside its spend and open reservations "
            f"(max {format(budget.max_amount_usd, 'f')} USD)"
        ),
    )


def _approval_settings(matched: list[PolicyItem]) -> tuple[list[str], list[str], int]:
    """Several require_approval policies: any of their approvers may decide; the shortest timeout wins."""
    approvers = [str(a) for item in matched for a in item.approvers]
    escalation = [str(a) for item in matched for a in item.escalation_approvers]
    timeouts = [int(item.approval_timeout_seconds) for item in matched if item.approval_timeout_seconds]
    return approvers, escalation, min(timeouts, default=DEFAULT_APPROVAL_TIMEOUT_SECONDS)


def _four_eyes(matched: list[PolicyItem], tenant_default: bool) -> bool:
    """The strictest of the policies behind the request; a policy that does not say takes the default."""
    return any(item.four_eyes if item.four_eyes is not None else tenant_default for item in matched)


@dataclass(frozen=True)
class Verdict:
    """What policies and budgets decide, before anything is reserved, started or recorded."""

    decision: str
    reasons: list[Reason]
    outcome: Outcome
    remaining: Decimal | None  # the least left over the agent's budgets; None when none covers it


def evaluation_request(agent: AgentItem, request: AuthorizeRequest, at: datetime) -> Request:
    """The evaluator's view of a request: what is asked, by which agent (team, tags), and when."""
    return Request(
        action=request.action,
        agent_id=agent.agent_id,
        at=at,
        resource=request.resource,
        context=request.context,
        estimated_cost_usd=request.estimated_cost_usd,
        agent_team=agent.team,
        agent_tags=tuple(str(tag) for tag in agent.tags or []),
    )


def decide(
    tenant_id: str,
    agent: AgentItem,
    request: AuthorizeRequest,
    *,
    at: datetime,
    rules: list[PolicyRule],
    default: str,
) -> Verdict:
    """Policies first (deny > require_approval > allow > the default), then the agent's budget. Reads only."""
    from agentgate.services import budgets  # the runs area's module

    outcome = evaluate(rules, evaluation_request(agent, request, at), default_decision=default)
    decision = outcome.decision
    reasons = _policy_reasons(outcome, request.action) if outcome.matched else [_default_reason(default)]
    remaining = None
    if decision != "deny":
        remaining = budgets.remaining_for_agent(tenant_id, agent.agent_id)
        budget_reason = (
            _budget_reason(remaining, request.estimated_cost_usd) if remaining is not None else None
        )
        if budget_reason is not None:
            decision, reasons = "deny", [budget_reason, *reasons]
    return Verdict(decision=decision, reasons=reasons, outcome=outcome, remaining=remaining)


def authorize(ctx: TenantContext, request: AuthorizeRequest) -> AuthorizeDecision:
    from agentgate.services import analytics, budgets  # the identity and runs areas' modules

    agent_id = ctx.principal.agent_id or ctx.principal.id
    data = tenant_data(ctx)
    agent = data.find(AgentItem, AgentItem.sk_for(agent_id))
    if agent is None:
        raise Forbidden("This agent no longer exists.", code="agent_unknown")
    rules, items = policies.tenant_rules(ctx.tenant_id)
    settings = policies.tenant_settings(ctx.tenant_id)
    verdict = decide(
        ctx.tenant_id, agent, request, at=datetime.now(UTC), rules=rules, default=settings.default_decision
    )
    decision, reasons, outcome = verdict.decision, verdict.reasons, verdict.outcome
    authorization_id = None
    if decision == ALLOW and request.estimated_cost_usd:
        held = reservations.reserve(
            ctx.tenant_id,
            agent_id,
            budgets.covering_budgets(ctx.tenant_id, agent_id, agent.team),
            request.estimated_cost_usd,
            settings.reservation_ttl_seconds,
        )
        if held.exhausted is not None:
            decision = "deny"
            reasons = [_reservation_refused(held.exhausted, request.estimated_cost_usd), *reasons]
        authorization_id = held.authorization_id
    approval_id = None
    if decision == "pending":
        matched = [items[r.policy_id] for r in outcome.matched]
        approvers, escalation, timeout = _approval_settings(matched)
        approval = approvals.start(
            ctx.tenant_id,
            agent_id=agent_id,
            agent_owner=agent.created_by,
            action=request.action,
            resource=request.resource,
            context=request.context,
            estimated_cost_usd=request.estimated_cost_usd,
            policy_ids=[r.policy_id for r in outcome.matched],
            approvers=approvers,
            escalation_approvers=escalation,
            timeout_seconds=timeout,
            four_eyes=_four_eyes(matched, settings.four_eyes),
        )
        approval_id = approval.approval_id
    analytics.record(ctx.tenant_id, "authorization", decision=decision, agent_id=agent_id)
    if decision != ALLOW:
        system_data(ctx.tenant_id, f"agent:{agent_id}").record(
            None,  # a decision changes nothing but the record: the log keeps every refusal and hold
            action=f"authorization.{'denied' if decision == 'deny' else 'pending'}",
            target=f"action:{request.action}",
            details={
                "resource": request.resource,
                "approval_id": approval_id,
                "reasons": [r.policy_id or r.kind for r in reasons],
            },
        )
    return AuthorizeDecision(
        decision=decision,  # type: ignore[arg-type]
        approval_id=approval_id,
        authorization_id=authorization_id,
        reasons=reasons,
    )

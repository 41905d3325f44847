"""Deterministic policy evaluation: every decision names the policies that made it.

Policies are considered in id order (ids are time-ordered, so: creation order). A policy
applies when it is active, the agent is in its scope (no scope = every agent) and its
conditions hold. Precedence: any applicable deny wins; otherwise any require_approval
makes the request pending; otherwise any allow allows; otherwise the tenant default
decides. The reasons list every applicable policy of the winning effect.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from agentgate.policy.conditions import WEEKDAYS, Comparison, Group, Node, parse_conditions

ALLOW, DENY, REQUIRE_APPROVAL = "allow", "deny", "require_approval"
EFFECT_ORDER = (DENY, REQUIRE_APPROVAL, ALLOW)
DECISION_OF_EFFECT = {DENY: "deny", REQUIRE_APPROVAL: "pending", ALLOW: "allow"}
_MISSING = object()


@dataclass(frozen=True)
class Request:
    """What is asked, by whom, and when (UTC)."""

    action: str
    agent_id: str
    at: datetime
    resource: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    estimated_cost_usd: Decimal | None = None
    agent_team: str | None = None
    agent_tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class PolicyRule:
    """The evaluator's view of a policy."""

    policy_id: str
    name: str
    effect: str
    conditions: Any = None  # the stored JSON
    agents: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    active: bool = True


@dataclass(frozen=True)
class Outcome:
    decision: str  # allow | deny | pending
    effect: str | None  # the winning policy effect; None when the tenant default decided
    matched: tuple[PolicyRule, ...]  # the applicable policies of the winning effect, in id order


def _field_value(request: Request, name: str) -> Any:
    if name == "action":
        return request.action
    if name == "resource":
        return request.resource if request.resource is not None else _MISSING
    if name == "estimated_cost_usd":
        return request.estimated_cost_usd if request.estimated_cost_usd is not None else _MISSING
    if name == "agent.id":
        return request.agent_id
    if name == "agent.team":
        return request.agent_team if request.agent_team is not None else _MISSING
    if name == "agent.tags":
        return request.agent_tags
    if name == "time.hour":
        return request.at.hour
    if name == "time.weekday":
        return WEEKDAYS[request.at.weekday()]
    value: Any = request.context
    for part in name.removeprefix("context.").split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _normalise(value: Any) -> Any:
    """Numbers compare as Decimals whatever JSON type carried them."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    return value


def _comparable(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    return (isinstance(a, Decimal) and isinstance(b, Decimal)) or (isinstance(a, str) and isinstance(b, str))


def _equal(a: Any, b: Any) -> bool:
    return _comparable(a, b) and a == b if a is not None and b is not None else a is b


def _compare(node: Comparison, request: Request) -> bool:
    actual = _field_value(request, node.field)
    if actual is _MISSING:
        return False  # an absent field satisfies no comparison, not even ne / not_in
    op, expected = node.op, node.value
    if node.field == "agent.tags":
        tags = set(actual)
        if op == "contains":
            return expected in tags
        if op == "in":
            return bool(tags.intersection(expected))
        return not tags.intersection(expected)  # not_in
    actual = _normalise(actual)
    if op == "eq":
        return _equal(actual, expected)
    if op == "ne":
        return not _equal(actual, expected)
    if op == "in":
        return any(_equal(actual, item) for item in expected)
    if op == "not_in":
        return not any(_equal(actual, item) for item in expected)
    if op == "glob":
        return isinstance(actual, str) and fnmatch.fnmatchcase(actual, expected)
    if op == "contains":
        if isinstance(actual, str):
            return isinstance(expected, str) and expected in actual
        if isinstance(actual, list):
            return any(_equal(_normalise(item), expected) for item in actual)
        return False
    if not (isinstance(actual, Decimal) and isinstance(expected, Decimal)):
        return False
    return {
        "gt": actual > expected,
        "gte": actual >= expected,
        "lt": actual < expected,
        "lte": actual <= expected,
    }[op]


def matches(node: Node | None, request: Request) -> bool:
    if node is None:
        return True
    if isinstance(node, Group):
        results = (matches(child, request) for child in node.children)
        return all(results) if node.mode == "all" else any(results)
    return _compare(node, request)


def in_scope(rule: PolicyRule, request: Request) -> bool:
    if not rule.agents and not rule.teams:
        return True
    return request.agent_id in rule.agents or (
        request.agent_team is not None and request.agent_team in rule.teams
    )


def applies(rule: PolicyRule, request: Request) -> bool:
    return rule.active and in_scope(rule, request) and matches(parse_conditions(rule.conditions), request)


def evaluate(rules: Iterable[PolicyRule], request: Request, *, default_decision: str = ALLOW) -> Outcome:
    ordered: Sequence[PolicyRule] = sorted(rules, key=lambda rule: rule.policy_id)
    applicable = [rule for rule in ordered if applies(rule, request)]
    for effect in EFFECT_ORDER:
        winners = tuple(rule for rule in applicable if rule.effect == effect)
        if winners:
            return Outcome(decision=DECISION_OF_EFFECT[effect], effect=effect, matched=winners)
    return Outcome(decision=default_decision, effect=None, matched=())

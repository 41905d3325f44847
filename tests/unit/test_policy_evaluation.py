"""The policy evaluation table: precedence, scope, the tenant default, every field and operator."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from agentgate.policy.conditions import parse_conditions
from agentgate.policy.evaluator import PolicyRule, Request, evaluate, matches

# A Wednesday, 14:30 UTC.
WEDNESDAY_AFTERNOON = datetime(2026, 11, 18, 14, 30, tzinfo=UTC)


def request(**overrides):
    fields = {
        "action": "payments.refund",
        "agent_id": "agt_1",
        "at": WEDNESDAY_AFTERNOON,
        "resource": "arn:aws:s3:::reports/2026/q3.csv",
        "context": {"amount": 250, "region": "eu-west-1", "labels": ["pii", "finance"], "live": True},
        "estimated_cost_usd": Decimal("0.75"),
        "agent_team": "payments",
        "agent_tags": ("prod", "tier-1"),
    }
    fields.update(overrides)
    return Request(**fields)


def rule(policy_id, effect, conditions=None, **kw):
    return PolicyRule(
        policy_id=policy_id, name=f"policy {policy_id}", effect=effect, conditions=conditions, **kw
    )


def comparison(field, op, value):
    return {"all": [{"field": field, "op": op, "value": value}]}


def test_deny_wins_over_require_approval_and_allow_and_lists_only_the_deny_policies():
    rules = [
        rule("pol_1", "allow"),
        rule("pol_2", "require_approval"),
        rule("pol_3", "deny"),
        rule("pol_4", "deny"),
    ]
    outcome = evaluate(rules, request())
    assert outcome.decision == "deny"
    assert [r.policy_id for r in outcome.matched] == ["pol_3", "pol_4"]


def test_require_approval_wins_over_allow():
    outcome = evaluate([rule("pol_1", "allow"), rule("pol_2", "require_approval")], request())
    assert (outcome.decision, [r.policy_id for r in outcome.matched]) == ("pending", ["pol_2"])


def test_allow_policies_allow_and_are_named():
    outcome = evaluate([rule("pol_2", "allow"), rule("pol_1", "allow")], request())
    assert (outcome.decision, [r.policy_id for r in outcome.matched]) == ("allow", ["pol_1", "pol_2"])


@pytest.mark.parametrize("default", ["allow", "deny"])
def test_the_tenant_default_decides_when_no_policy_applies(default):
    unrelated = rule("pol_1", "deny", comparison("action", "eq", "files.delete"))
    outcome = evaluate([unrelated], request(), default_decision=default)
    assert (outcome.decision, outcome.effect, outcome.matched) == (default, None, ())


def test_a_disabled_policy_never_applies():
    outcome = evaluate([rule("pol_1", "deny", active=False)], request())
    assert outcome.decision == "allow"


@pytest.mark.parametrize(
    ("agents", "teams", "applies"),
    [
        ((), (), True),
        (("agt_1",), (), True),
        (("agt_2",), (), False),
        ((), ("payments",), True),
        ((), ("research",), False),
        (("agt_2",), ("payments",), True),
    ],
)
def test_scope_by_agents_and_teams(agents, teams, applies):
    outcome = evaluate([rule("pol_1", "deny", agents=agents, teams=teams)], request())
    assert (outcome.decision == "deny") is applies


def test_evaluation_is_deterministic_whatever_the_order_policies_arrive_in():
    rules = [
        rule(f"pol_{i}", effect) for i, effect in enumerate(["allow", "deny", "require_approval", "deny"])
    ]
    first = evaluate(rules, request())
    again = evaluate(list(reversed(rules)), request())
    assert first == again


CASES = [
    # field, op, value, matches the request above
    ("action", "eq", "payments.refund", True),
    ("action", "eq", "payments.charge", False),
    ("action", "ne", "payments.charge", True),
    ("action", "in", ["payments.charge", "payments.refund"], True),
    ("action", "not_in", ["payments.refund"], False),
    ("action", "glob", "payments.*", True),
    ("action", "glob", "files.*", False),
    ("action", "contains", "refund", True),
    ("resource", "glob", "arn:aws:s3:::reports/*", True),
    ("resource", "contains", "q4", False),
    ("agent.id", "eq", "agt_1", True),
    ("agent.team", "in", ["payments", "risk"], True),
    ("agent.tags", "contains", "prod", True),
    ("agent.tags", "contains", "staging", False),
    ("agent.tags", "in", ["staging", "tier-1"], True),
    ("agent.tags", "not_in", ["staging", "tier-1"], False),
    ("estimated_cost_usd", "gt", "0.5", True),
    ("estimated_cost_usd", "gte", 0.75, True),
    ("estimated_cost_usd", "lt", "0.75", False),
    ("estimated_cost_usd", "lte", 1, True),
    ("estimated_cost_usd", "eq", "0.750", True),
    ("time.hour", "gte", 9, True),
    ("time.hour", "lt", 14, False),
    ("time.hour", "in", [13, 14], True),
    ("time.weekday", "eq", "wed", True),
    ("time.weekday", "in", ["sat", "sun"], False),
    ("time.weekday", "not_in", ["sat", "sun"], True),
    ("context.amount", "gt", 100, True),
    ("context.amount", "lte", 100, False),
    ("context.amount", "eq", 250.0, True),
    ("context.region", "glob", "eu-*", True),
    ("context.region", "ne", "eu-west-1", False),
    ("context.labels", "contains", "pii", True),
    ("context.live", "eq", True, True),
    ("context.amount", "eq", "250", False),  # a string never equals a number
    ("context.missing", "ne", "anything", False),  # an absent field satisfies nothing
    ("context.missing", "not_in", ["x"], False),
]


@pytest.mark.parametrize(("field", "op", "value", "expected"), CASES, ids=lambda v: str(v))
def test_each_operator_on_each_field(field, op, value, expected):
    assert matches(parse_conditions(comparison(field, op, value)), request()) is expected


def test_an_absent_resource_or_cost_satisfies_no_comparison():
    bare = request(resource=None, estimated_cost_usd=None)
    assert not matches(parse_conditions(comparison("resource", "ne", "x")), bare)
    assert not matches(parse_conditions(comparison("estimated_cost_usd", "lt", 1)), bare)


def test_all_needs_every_child_and_any_needs_one_and_they_nest():
    tree = {
        "any": [
            {
                "all": [
                    {"field": "action", "op": "eq", "value": "payments.refund"},
                    {"field": "context.amount", "op": "gt", "value": 1000},
                ]
            },
            {
                "all": [
                    {"field": "agent.team", "op": "eq", "value": "payments"},
                    {
                        "any": [
                            {"field": "time.weekday", "op": "in", "value": ["sat", "sun"]},
                            {"field": "time.hour", "op": "gte", "value": 14},
                        ]
                    },
                ]
            },
        ]
    }
    assert matches(parse_conditions(tree), request())
    assert not matches(parse_conditions(tree), request(at=datetime(2026, 11, 18, 9, 0, tzinfo=UTC)))


def test_a_policy_without_conditions_matches_every_request_in_scope():
    assert matches(parse_conditions(None), request())

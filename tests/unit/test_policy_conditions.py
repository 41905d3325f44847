"""Malformed conditions are refused at write time, with the path of the problem."""

import pytest

from agentgate.policy.conditions import ConditionError, parse_conditions


def c(field="action", op="eq", value="x", **extra):
    return {"all": [{"field": field, "op": op, "value": value, **extra}]}


MALFORMED = [
    ({"field": "action", "op": "eq", "value": "x"}, "conditions", "top level"),
    ({"all": []}, "conditions.all", "non-empty"),
    ({"all": "x"}, "conditions.all", "non-empty"),
    ({"all": [1]}, "conditions.all[0]", "must be an object"),
    ({"all": [{"field": "action", "op": "eq"}]}, "conditions.all[0].value", "required"),
    ({"all": [], "any": []}, "conditions", "exactly one key"),
    (c(field="agent.name"), "conditions.all[0].field", "unknown field"),
    (c(field="context."), "conditions.all[0].field", "unknown field"),
    (c(op="between"), "conditions.all[0].op", "unknown operator"),
    (c(op="gt"), "conditions.all[0].op", "does not support gt"),
    (c(field="estimated_cost_usd", op="gt", value="lots"), "conditions.all[0].value", "number"),
    (c(field="estimated_cost_usd", op="glob", value="1*"), "conditions.all[0].op", "does not support glob"),
    (c(field="time.hour", op="eq", value=24), "conditions.all[0].value", "hour"),
    (c(field="time.weekday", op="eq", value="someday"), "conditions.all[0].value", "weekday"),
    (c(op="in", value="payments"), "conditions.all[0].value", "non-empty list"),
    (c(op="in", value=[]), "conditions.all[0].value", "non-empty list"),
    (c(op="glob", value=""), "conditions.all[0].value", "glob"),
    (c(field="agent.tags", op="eq", value="prod"), "conditions.all[0].op", "does not support eq"),
    (c(field="context.x", op="eq", value={"a": 1}), "conditions.all[0].value", "string, number"),
    (c(extra_key=1), "conditions.all[0]", "unknown key"),
    ({"all": [{"any": [{"all": [{"any": [{"all": [{"any": [c()]}]}]}]}]}]}, "conditions", "deeper"),
]


@pytest.mark.parametrize(
    ("raw", "path", "words"), MALFORMED, ids=[m[2] + str(i) for i, m in enumerate(MALFORMED)]
)
def test_malformed_conditions_are_refused_naming_where(raw, path, words):
    with pytest.raises(ConditionError) as caught:
        parse_conditions(raw)
    assert caught.value.path.startswith(path)
    assert words in caught.value.message


def test_a_well_formed_condition_parses():
    tree = parse_conditions({"any": [c(), c(field="context.order.total", op="gte", value=10)]})
    assert tree is not None

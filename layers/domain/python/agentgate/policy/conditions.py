"""The condition language of API.md, parsed into a small tree and checked at write time.

A condition is ``{"all": [...]}`` or ``{"any": [...]}`` (nestable) over comparisons
``{"field": F, "op": OP, "value": V}``. Parsing names the first problem with its path
(``conditions.all[1].op``), so a bad policy is a 400 that says what to fix. The full
reference, with the semantics of each field and operator, is ``docs/policies.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

OPERATORS = ("eq", "ne", "in", "not_in", "glob", "contains", "gt", "gte", "lt", "lte")
NUMERIC_OPERATORS = frozenset({"gt", "gte", "lt", "lte"})
LIST_OPERATORS = frozenset({"in", "not_in"})
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_DEPTH = 5
MAX_CHILDREN = 50
MAX_LIST = 100
MAX_STRING = 512
_CONTEXT_KEY = re.compile(r"^[A-Za-z0-9_\-]{1,64}(\.[A-Za-z0-9_\-]{1,64}){0,3}$")

# Which operators each field accepts; context.<key> fields accept every operator.
_TEXT_OPS = frozenset({"eq", "ne", "in", "not_in", "glob", "contains"})
FIELD_OPERATORS: dict[str, frozenset[str]] = {
    "action": _TEXT_OPS,
    "resource": _TEXT_OPS,
    "agent.id": _TEXT_OPS,
    "agent.team": _TEXT_OPS,
    "agent.tags": frozenset({"contains", "in", "not_in"}),
    "estimated_cost_usd": frozenset({"eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte"}),
    "time.hour": frozenset({"eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte"}),
    "time.weekday": frozenset({"eq", "ne", "in", "not_in"}),
}


class ConditionError(ValueError):
    """A malformed condition; ``path`` says where (``conditions.any[0].value``)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class Comparison:
    field: str
    op: str
    value: Any  # normalised: Decimal for numbers and hours, str for weekdays, tuple for lists


@dataclass(frozen=True)
class Group:
    mode: str  # "all" | "any"
    children: tuple[Node, ...]


Node = Comparison | Group


def _check_field(field: Any, path: str) -> str:
    if not isinstance(field, str):
        raise ConditionError(f"{path}.field", "must be a string")
    if field in FIELD_OPERATORS:
        return field
    if field.startswith("context.") and _CONTEXT_KEY.match(field.removeprefix("context.")):
        return field
    known = ", ".join([*FIELD_OPERATORS, "context.<key>"])
    raise ConditionError(f"{path}.field", f"unknown field {field!r}; fields are {known}")


def _number(value: Any, path: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConditionError(path, "must be a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ConditionError(path, "must be a number") from None
    if not number.is_finite():
        raise ConditionError(path, "must be a finite number")
    return number


def _scalar(field: str, value: Any, path: str) -> Any:
    """One value as the field compares it."""
    if field == "estimated_cost_usd":
        return _number(value, path)
    if field == "time.hour":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 23:
            raise ConditionError(path, "must be an hour, an integer from 0 to 23")
        return Decimal(value)
    if field == "time.weekday":
        if not isinstance(value, str) or value.lower() not in WEEKDAYS:
            raise ConditionError(path, f"must be a weekday, one of {', '.join(WEEKDAYS)}")
        return value.lower()
    if field.startswith("context."):
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int | float):
            return _number(value, path)
        if isinstance(value, str):
            if len(value) > MAX_STRING:
                raise ConditionError(path, f"must be at most {MAX_STRING} characters")
            return value
        raise ConditionError(path, "must be a string, number, boolean or null")
    if not isinstance(value, str) or not value or len(value) > MAX_STRING:
        raise ConditionError(path, f"must be a non-empty string of at most {MAX_STRING} characters")
    return value


def _value(field: str, op: str, value: Any, path: str) -> Any:
    path = f"{path}.value"
    if op in LIST_OPERATORS:
        if not isinstance(value, list) or not value or len(value) > MAX_LIST:
            raise ConditionError(path, f"{op} needs a non-empty list of at most {MAX_LIST} values")
        return tuple(_scalar(field, item, f"{path}[{i}]") for i, item in enumerate(value))
    if op in NUMERIC_OPERATORS:
        if field == "time.hour":
            return _scalar(field, value, path)
        return _number(value, path)
    if op == "glob":
        if not isinstance(value, str) or not value or len(value) > MAX_STRING:
            raise ConditionError(path, "glob needs a non-empty pattern string")
        return value
    return _scalar(field, value, path)


def _comparison(raw: dict[str, Any], path: str) -> Comparison:
    extra = sorted(set(raw) - {"field", "op", "value"})
    if extra:
        raise ConditionError(path, f"unknown key {extra[0]!r}; a comparison has field, op and value")
    missing = [key for key in ("field", "op", "value") if key not in raw]
    if missing:
        raise ConditionError(f"{path}.{missing[0]}", "is required")
    field = _check_field(raw["field"], path)
    op = raw["op"]
    if op not in OPERATORS:
        raise ConditionError(f"{path}.op", f"unknown operator {op!r}; operators are {', '.join(OPERATORS)}")
    allowed = FIELD_OPERATORS.get(field)
    if allowed is not None and op not in allowed:
        raise ConditionError(
            f"{path}.op", f"{field} does not support {op}; it supports {', '.join(sorted(allowed))}"
        )
    return Comparison(field=field, op=op, value=_value(field, op, raw["value"], path))


def _node(raw: Any, path: str, depth: int) -> Node:
    if not isinstance(raw, dict):
        raise ConditionError(path, "must be an object: {all: [...]}, {any: [...]} or {field, op, value}")
    if "all" in raw or "any" in raw:
        if len(raw) != 1:
            raise ConditionError(path, "a group has exactly one key, all or any")
        mode = "all" if "all" in raw else "any"
        if depth >= MAX_DEPTH:
            raise ConditionError(path, f"nests deeper than {MAX_DEPTH} levels")
        children = raw[mode]
        if not isinstance(children, list) or not children or len(children) > MAX_CHILDREN:
            raise ConditionError(f"{path}.{mode}", f"must be a non-empty list of at most {MAX_CHILDREN}")
        return Group(
            mode=mode,
            children=tuple(
                _node(child, f"{path}.{mode}[{i}]", depth + 1) for i, child in enumerate(children)
            ),
        )
    return _comparison(raw, path)


def parse_conditions(raw: Any, path: str = "conditions") -> Node | None:
    """The tree of a stored or submitted condition; None (no condition) matches every request."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or not ("all" in raw or "any" in raw):
        raise ConditionError(path, "the top level is {all: [...]} or {any: [...]}")
    return _node(raw, path, 0)

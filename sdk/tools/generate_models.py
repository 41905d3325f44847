"""Generate ``agentgate_client/models.py`` from the API's OpenAPI document.

Every schema of ``components.schemas`` becomes a pydantic model with the same fields, types and
required set. Response models accept fields they do not know (``extra="allow"``) so an older SDK
keeps working against a newer server; the drift test regenerates this file and compares it with
the committed one, so the SDK cannot fall behind the contract unnoticed.

    python sdk/tools/generate_models.py docs/openapi.json sdk/src/agentgate_client/models.py
    python sdk/tools/generate_models.py docs/openapi.json --check sdk/src/agentgate_client/models.py
"""

from __future__ import annotations

import json
import keyword
import sys
from pathlib import Path
from typing import Any

HEADER = '''"""Typed models of the AgentGate API, generated from ``docs/openapi.json``. Do not edit by hand.

Regenerate with ``python sdk/tools/generate_models.py docs/openapi.json sdk/src/agentgate_client/models.py``;
a test fails when this file and the contract disagree. Money is ``Decimal`` (the API sends decimal
strings), times are timezone-aware ``datetime``.
"""

# ruff: noqa: E501

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ApiModel(BaseModel):
    """Base of every API model: unknown fields from a newer server are kept, not refused.

    Validators are built on a model's first use, not at import (the CLI starts faster).
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, protected_namespaces=(), defer_build=True)
'''


def _literal(value: Any) -> str:
    return json.dumps(value) if isinstance(value, str) else repr(value)


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _is_money(name: str) -> bool:
    return name.endswith("_usd") or name.endswith("_per_million")


def python_type(schema: dict[str, Any], field: str = "") -> str:
    """The Python annotation of one JSON schema (no ``| None`` for absence: see ``field_line``)."""
    if "$ref" in schema:
        return _ref_name(schema["$ref"])
    if "anyOf" in schema:
        parts: list[str] = []
        for option in schema["anyOf"]:
            annotation = python_type(option, field)
            if annotation not in parts:
                parts.append(annotation)
        if "Decimal" in parts:  # a money field taken as a number or a string is one Decimal
            parts = [p for p in parts if p not in ("float", "str")]
        return " | ".join(parts)
    if "const" in schema:
        return f"Literal[{_literal(schema['const'])}]"
    if "enum" in schema:
        return "Literal[" + ", ".join(_literal(v) for v in schema["enum"]) + "]"
    kind = schema.get("type")
    if kind == "null":
        return "None"
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date-time":
            return "dt.datetime"
        if fmt == "date":
            return "dt.date"
        return "Decimal" if _is_money(field) else "str"
    if kind == "integer":
        return "int"
    if kind == "number":
        return "Decimal" if _is_money(field) else "float"
    if kind == "boolean":
        return "bool"
    if kind == "array":
        return f"list[{python_type(schema.get('items', {}), field)}]"
    if kind == "object":
        return "dict[str, Any]"
    return "Any"


def _attribute(name: str) -> str:
    return f"{name}_" if keyword.iskeyword(name) or name in {"model_config", "schema"} else name


def field_line(name: str, schema: dict[str, Any], required: bool) -> str:
    annotation = python_type(schema, name)
    attribute = _attribute(name)
    alias = f'alias="{name}"' if attribute != name else ""
    if required:
        value = f" = Field({alias})" if alias else ""
        return f"    {attribute}: {annotation}{value}"
    if "default" in schema and schema["default"] is not None:
        default = schema["default"]
        if isinstance(default, list | dict):
            factory = "list" if isinstance(default, list) and not default else f"lambda: {default!r}"
            args = ", ".join(a for a in (f"default_factory={factory}", alias) if a)
            return f"    {attribute}: {annotation} = Field({args})"
        args = ", ".join(a for a in (f"default={_literal(default)}", alias) if a)
        return (
            f"    {attribute}: {annotation} = Field({args})"
            if alias
            else f"    {attribute}: {annotation} = {_literal(default)}"
        )
    if schema.get("type") == "array":
        args = ", ".join(a for a in ("default_factory=list", alias) if a)
        return f"    {attribute}: {annotation} = Field({args})"
    if "None" not in annotation.split(" | "):
        annotation = f"{annotation} | None"
    return f"    {attribute}: {annotation} = Field(default=None{', ' + alias if alias else ''})"


def model_source(name: str, schema: dict[str, Any]) -> str:
    lines = [f"class {name}(ApiModel):"]
    doc = (schema.get("description") or schema.get("title") or name).strip().replace('"""', "'")
    lines.append(f'    """{doc}"""')
    lines.append("")
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    if not properties:
        lines.append("    pass")
    for field, field_schema in properties.items():
        lines.append(field_line(field, field_schema, field in required))
    return "\n".join(lines)


def alias_source(name: str, schema: dict[str, Any]) -> str:
    return f"{name} = {python_type(schema, name)}"


def generate(contract: dict[str, Any]) -> str:
    schemas: dict[str, Any] = contract["components"]["schemas"]
    aliases = {n: s for n, s in schemas.items() if s.get("type") != "object" and "properties" not in s}
    models = {n: s for n, s in schemas.items() if n not in aliases}
    parts = [HEADER.rstrip("\n")]
    parts += [alias_source(n, s) for n, s in sorted(aliases.items())]
    parts += [model_source(n, s) for n, s in sorted(models.items())]
    names = sorted(models)
    parts.append(
        "MODELS: dict[str, type[ApiModel]] = {\n" + "".join(f'    "{n}": {n},\n' for n in names) + "}"
    )
    return "\n\n\n".join(parts) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    contract, target = Path(args[0]), Path(args[1])
    source = generate(json.loads(contract.read_text()))
    if check:
        if target.read_text() != source:
            print(f"{target} differs from {contract}: regenerate it", file=sys.stderr)
            return 1
        return 0
    target.write_text(source)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

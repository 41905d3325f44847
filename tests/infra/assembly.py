"""Synthesize the CDK app once into a directory and read its templates (top-level and nested)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")


@dataclass
class Resource:
    template: str  # file name under the output directory
    logical_id: str
    type: str
    properties: dict[str, Any]
    raw: dict[str, Any]


@dataclass
class Assembly:
    outdir: Path
    app: Any = None  # the aws_cdk.App, for what only the construct tree knows
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)
    error: str | None = None  # why synthesis failed (a validation plugin's findings), if it did

    def resources(self, type_: str | None = None) -> Iterator[Resource]:
        for name, template in self.templates.items():
            for logical_id, body in template.get("Resources", {}).items():
                if type_ is None or body["Type"] == type_:
                    yield Resource(name, logical_id, body["Type"], body.get("Properties", {}), body)

    def resource(self, template: str, logical_id: str) -> Resource:
        body = self.templates[template]["Resources"][logical_id]
        return Resource(template, logical_id, body["Type"], body.get("Properties", {}), body)

    def validation_report(self) -> dict[str, Any]:
        path = self.outdir / "validation-report.json"
        return json.loads(path.read_text()) if path.exists() else {"pluginReports": []}


def synthesize(
    outdir: Path, *, nag: bool, context: dict[str, Any] | None = None, tables: Any = None
) -> Assembly:
    """Synthesize offline: no account, no region, no Docker."""
    for name in ("CDK_DEFAULT_ACCOUNT", "CDK_DEFAULT_REGION", "CDK_CONTEXT_JSON", "CDK_OUTDIR"):
        os.environ.pop(name, None)
    from infra.agentgate_cdk.application import build_app

    app, _ = build_app(outdir=outdir, context=context, nag=nag, tables=tables)
    assembly = Assembly(outdir, app)
    try:
        app.synth()
    except RuntimeError as exc:  # jsii surfaces ValidationFailed as a RuntimeError
        if "Validation failed" not in str(exc) and "ValidationFailed" not in str(exc):
            raise
        assembly.error = str(exc)
    for path in sorted(outdir.glob("*.template.json")):
        assembly.templates[path.name] = json.loads(path.read_text())
    return assembly


def joined(value: Any) -> str:
    """A CloudFormation string value with its intrinsic functions rendered as ``<...>``."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(joined(part) for part in parts)
    if isinstance(value, dict) and "Ref" in value:
        return f"<{value['Ref']}>"
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return f"<{'.'.join(value['Fn::GetAtt'])}>"
    if isinstance(value, dict) and "Fn::ImportValue" in value:
        return f"<import:{joined(value['Fn::ImportValue'])}>"
    return json.dumps(value, sort_keys=True)

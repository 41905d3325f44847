"""The CDK app: the stacks, cdk-nag's AwsSolutions checks, and where the templates go."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from infra.agentgate_cdk.api_stack import ApiStack
from infra.agentgate_cdk.config import REPO_ROOT, DeployConfig, environment
from infra.agentgate_cdk.data_stack import DataStack
from infra.agentgate_cdk.hygiene import DropRedundantRoleDependency
from infra.agentgate_cdk.tables import Tables

CDK_JSON = REPO_ROOT / "cdk.json"


class AgentGate:
    """The deployment: a stateful data stack and the API stack (with its nested stacks)."""

    def __init__(self, app: cdk.App, config: DeployConfig, tables: Tables) -> None:
        env = environment()
        self.data = DataStack(
            app,
            f"{config.stack_prefix}-Data",
            config=config,
            tables=tables,
            env=env,
            description="AgentGate data: table, streams, signing key, user pool, queues, alarm topic",
        )
        self.api = ApiStack(
            app,
            f"{config.stack_prefix}-Api",
            config=config,
            tables=tables,
            data=self.data,
            env=env,
            description="AgentGate API: REST API, authorizer, usage plans, functions, portal",
        )
        cdk.Aspects.of(app).add(DropRedundantRoleDependency())
        for stack in (self.data, self.api):
            cdk.Tags.of(stack).add("project", "agentgate")
            cdk.Tags.of(stack).add("stage", config.stage)


def cdk_json_context() -> dict[str, Any]:
    """cdk.json's context, so ``python infra/app.py`` synthesizes what the CDK CLI would."""
    context: dict[str, Any] = json.loads(CDK_JSON.read_text()).get("context", {})
    return context


def build_app(
    *,
    outdir: str | Path | None = None,
    context: dict[str, Any] | None = None,
    nag: bool | None = None,
    tables: Tables | None = None,
) -> tuple[cdk.App, AgentGate]:
    """Build (not yet synthesize) the app. Context: cdk.json, then ``context``, then the CLI's ``-c``.

    With nag (default: unless context ``nag`` is "false") the synthesis fails on any
    unacknowledged AwsSolutions finding.
    """
    app = cdk.App(outdir=str(outdir) if outdir else None, context={**cdk_json_context(), **(context or {})})
    deployment = AgentGate(app, DeployConfig.from_context(app.node), tables or Tables())
    if nag is None:
        nag = str(app.node.try_get_context("nag")).lower() != "false"
    if nag:
        cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app, deployment

"""State machines from ``statemachines/`` run by moto's Step Functions with the real ASL.

moto executes the ASL when its ``stepfunctions.execute_state_machine`` setting is on; its Lambda
tasks call Lambda's Invoke, which the "simple" Lambda backend (``lambda.use_docker`` off) answers.
``LambdaBridge`` patches that backend's ``invoke`` to call the handler named by the function ARN
in-process, and reports a handler's exception as a function error (so ASL Retry and Catch apply).
The ASL's ``${Placeholder}`` substitutions become fake Lambda ARNs naming the handler module.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from agentgate.workflows import Workflow
from infra.local.apigw import ACCOUNT_ID
from infra.local.handlers import FunctionRunner

log = logging.getLogger("infra.local.statemachines")

MOTO_CONFIG: dict[str, Any] = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
}
ROLE_ARN = f"arn:aws:iam::{ACCOUNT_ID}:role/agentgate-local-states"


def function_arn(handler: str, region: str = "us-east-1") -> str:
    return f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{handler}"


def function_name(name_or_arn: str) -> str:
    """``arn:aws:lambda:...:function:<name>[:qualifier]``, ``<account>:function:<name>`` or a name."""
    if ":function:" in name_or_arn:
        return name_or_arn.split(":function:", 1)[1].split(":", 1)[0]
    return name_or_arn


def render_definition(workflow: Workflow, root: Path, region: str = "us-east-1") -> str:
    """The ASL with each ``${Placeholder}`` replaced by its task's fake function ARN."""
    text = (root / workflow.definition).read_text()
    for placeholder, handler in workflow.tasks.items():
        text = text.replace("${" + placeholder + "}", function_arn(handler, region))
    json.loads(text)  # a broken file fails here, loudly, not at the first execution
    return text


def create_state_machines(
    sfn: Any, workflows: Iterable[Workflow], *, root: Path, prefix: str, region: str = "us-east-1"
) -> dict[str, str]:
    """Create (or update) each workflow's state machine; return workflow name -> ARN."""
    existing = {m["name"]: m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]}
    arns = {}
    for workflow in workflows:
        name = f"{prefix}-{workflow.name}"
        definition = render_definition(workflow, root, region)
        if name in existing:
            sfn.update_state_machine(stateMachineArn=existing[name], definition=definition)
            arns[workflow.name] = existing[name]
        else:
            created = sfn.create_state_machine(name=name, definition=definition, roleArn=ROLE_ARN)
            arns[workflow.name] = created["stateMachineArn"]
    return arns


class LambdaBridge:
    """Routes moto's simple-Lambda ``invoke`` to in-process handlers.

    ``resolve`` maps a function name (the last part of the task's ARN) to a handler name for
    ``FunctionRunner``: by default the name itself, a module under ``functions/``.
    """

    def __init__(self, runner: FunctionRunner, resolve: Callable[[str], str] | None = None) -> None:
        self.runner = runner
        self.resolve = resolve or (lambda name: name)
        self._original: Any = None

    def invoke(self, function_name_or_arn: str, body: Any, response_headers: dict[str, Any]) -> bytes:
        name = function_name(function_name_or_arn)
        payload = json.loads(body) if body else {}
        try:
            result = self.runner.invoke(self.resolve(name), payload)
        except Exception as exc:  # noqa: BLE001 - a function error, as Lambda reports it to Step Functions
            log.warning("task %s raised %s: %s\n%s", name, type(exc).__name__, exc, traceback.format_exc())
            response_headers["x-amz-function-error"] = "Unhandled"
            error = {"errorType": type(exc).__name__, "errorMessage": str(exc)}
            return json.dumps(error).encode()
        return json.dumps(result).encode()

    def install(self) -> None:
        """Patch ``LambdaSimpleBackend.invoke`` (process-wide: moto's backends are too)."""
        from moto.awslambda_simple.models import LambdaSimpleBackend

        bridge = self
        self._original = LambdaSimpleBackend.invoke

        def invoke(
            backend: Any, function_name: str, qualifier: Any, body: Any, headers: Any, response_headers: Any
        ) -> bytes:
            return bridge.invoke(function_name, body, response_headers)

        LambdaSimpleBackend.invoke = invoke  # type: ignore[method-assign,assignment]

    def uninstall(self) -> None:
        if self._original is not None:
            from moto.awslambda_simple.models import LambdaSimpleBackend

            LambdaSimpleBackend.invoke = self._original  # type: ignore[method-assign]
            self._original = None


def enable_execution() -> None:
    """Turn on ASL execution and the simple Lambda backend for moto in this process (the server's)."""
    from moto.core.config import default_user_config

    for section, values in MOTO_CONFIG.items():
        default_user_config.setdefault(section, {}).update(values)  # type: ignore[misc]

"""One Lambda function: its own role (least privilege from its grants), log group and settings."""

from __future__ import annotations

from dataclasses import dataclass, field

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.agentgate_cdk import assets
from infra.agentgate_cdk.grants import Wiring, access_for
from infra.agentgate_cdk.nag import acknowledge

MAX_FUNCTION_NAME = 64


@dataclass(frozen=True)
class FunctionSpec:
    """What the tables say about a handler module: its grants and how long it may run."""

    handler: str  # module under functions/
    grants: frozenset[str]
    timeout_seconds: int
    description: str


@dataclass
class Shared:
    """What every function in the deployment shares."""

    wiring: Wiring
    layers: tuple[lambda_.ILayerVersion, ...]
    name_prefix: str
    memory_mb: int
    log_retention: logs.RetentionDays
    _code: dict[str, lambda_.Code] = field(default_factory=dict)

    def code(self, scope: Construct) -> lambda_.Code:
        """The ``functions/`` asset; one Code per stack, as CDK binds an asset to one stack."""
        stack = cdk.Stack.of(scope).node.path
        if stack not in self._code:
            self._code[stack] = assets.function_code()
        return self._code[stack]


def function_name(prefix: str, handler: str) -> str:
    """A physical name known before the function exists, so API methods can integrate by name."""
    name = f"{prefix}-{handler.replace('_', '-')}"
    if len(name) > MAX_FUNCTION_NAME:
        raise ValueError(f"function name {name!r} is longer than {MAX_FUNCTION_NAME} characters")
    return name


def named_arn(scope: Construct, service: str, resource: str, name: str) -> str:
    """The ARN of a resource by its physical name (``arn:...:<service>:...:<resource>:<name>``), known
    before the resource exists, so others may be granted or integrated with it first."""
    return cdk.Stack.of(scope).format_arn(
        service=service, resource=resource, resource_name=name, arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME
    )


def function_arn(scope: Construct, prefix: str, handler: str) -> str:
    return named_arn(scope, "lambda", "function", function_name(prefix, handler))


class AgentGateFunction(Construct):
    """A handler module as a Lambda: ARM64, the newest Python runtime, both layers, no X-Ray.

    The role has no managed policy: it may write its own log group and do what its grants say.
    """

    def __init__(self, scope: Construct, construct_id: str, *, spec: FunctionSpec, shared: Shared) -> None:
        super().__init__(scope, construct_id)
        if not assets.handler_exists(spec.handler):
            raise FileNotFoundError(f"functions/{spec.handler}.py does not exist (named by a table row)")
        access = access_for(spec.grants, shared.wiring)
        name = function_name(shared.name_prefix, spec.handler)
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"/aws/lambda/{name}",
            retention=shared.log_retention,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        write_logs = iam.PolicyStatement(
            actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[self.log_group.log_group_arn]
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"AgentGate {spec.handler}: {', '.join(sorted(spec.grants)) or 'no grants'}",
            inline_policies={"access": iam.PolicyDocument(statements=[write_logs, *access.statements])},
        )
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=name,
            description=spec.description[:256],
            runtime=assets.RUNTIME,
            architecture=assets.ARCHITECTURE,
            handler=f"{spec.handler}.handler",
            code=shared.code(self),
            layers=list(shared.layers),
            memory_size=shared.memory_mb,
            timeout=cdk.Duration.seconds(spec.timeout_seconds),
            role=self.role,
            log_group=self.log_group,
            environment=access.env,
            tracing=lambda_.Tracing.DISABLED,
        )
        for finding, reason in access.wildcards:
            acknowledge(self.role, finding, reason)

"""The API: REST API, authorizer, usage plans per tier, gateway responses, one function per route.

Route functions live in nested stacks, one per route tag (a stable grouping: adding a route never
moves another one between stacks), so every template stays under CloudFormation's 500 resources
as the routes table grows. Methods integrate with their function by its physical name, which keeps
the methods free of references to the nested stacks (the functions in turn receive the usage plan
ids, which depend on the stage, which depends on the methods).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from agentgate import routes
from agentgate.gateway_responses import GATEWAY_RESPONSES
from agentgate.platform.settings import env_name, settings_env
from agentgate.routes import Route
from infra.agentgate_cdk import assets
from infra.agentgate_cdk.alarms import API_5XX_THRESHOLD, alarm
from infra.agentgate_cdk.config import API_STAGE_NAME, DeployConfig
from infra.agentgate_cdk.data_stack import DataStack
from infra.agentgate_cdk.functions import AgentGateFunction, FunctionSpec, Shared, function_arn
from infra.agentgate_cdk.grants import Wiring
from infra.agentgate_cdk.nag import acknowledge
from infra.agentgate_cdk.portal import Portal
from infra.agentgate_cdk.tables import Tables
from infra.agentgate_cdk.waf import public_rate_limit
from infra.agentgate_cdk.workers import WorkersStack, state_machine_arn

AUTHORIZER_HANDLER = "authorizer"
AUTHORIZER_GRANTS = frozenset({routes.TABLE_READ, routes.KMS_PUBLIC_KEY, routes.COGNITO})
AUTHORIZER_TIMEOUT = 10
# API Gateway gives up on an integration after 29 seconds.
ROUTE_TIMEOUT = 28

ACCESS_LOG_FORMAT = {
    "request_id": "$context.requestId",
    "extended_request_id": "$context.extendedRequestId",
    "time": "$context.requestTime",
    "ip": "$context.identity.sourceIp",
    "method": "$context.httpMethod",
    "resource": "$context.resourcePath",
    "path": "$context.path",
    "status": "$context.status",
    "response_length": "$context.responseLength",
    "latency_ms": "$context.responseLatency",
    "integration_latency_ms": "$context.integrationLatency",
    "tenant_id": "$context.authorizer.tenant_id",
    "principal_type": "$context.authorizer.principal_type",
    "principal_id": "$context.authorizer.principal_id",
    "error": "$context.error.message",
    "authorizer_error": "$context.authorizer.error",
}


def error_template(code: str, message: str) -> str:
    return json.dumps({"error": {"code": code, "message": message, "details": []}})


def method_arn_path(path: str) -> str:
    """``/api/v1/agents/{id}`` -> ``/api/v1/agents/*`` (the execute-api ARN form)."""
    return re.sub(r"\{[^}]+\}", "*", path)


def integration_uri(scope: Construct, prefix: str, handler: str) -> str:
    arn = function_arn(scope, prefix, handler)
    apigateway = f"arn:{cdk.Aws.PARTITION}:apigateway:{cdk.Aws.REGION}"
    return f"{apigateway}:lambda:path/2015-03-31/functions/{arn}/invocations"


def _construct_id(name: str) -> str:
    return "".join(part.title() for part in re.split(r"[^A-Za-z0-9]+", name) if part)


class RoutesStack(cdk.NestedStack):
    """The functions of the routes of one tag, each allowed to be invoked by its own method only."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        tag: str,
        rows: list[Route],
        api: apigw.IRestApi,
        shared: Shared,
    ) -> None:
        super().__init__(scope, construct_id, description=f"AgentGate {tag} routes")
        self.functions: dict[str, AgentGateFunction] = {}
        by_handler: dict[str, list[Route]] = defaultdict(list)
        for route in rows:
            by_handler[route.handler].append(route)
        for handler, handler_routes in by_handler.items():
            grants = frozenset().union(*(r.grants for r in handler_routes))
            spec = FunctionSpec(handler, grants, ROUTE_TIMEOUT, "; ".join(r.key for r in handler_routes))
            function = AgentGateFunction(self, _construct_id(handler), spec=spec, shared=shared)
            self.functions[handler] = function
            for route in handler_routes:
                function.function.add_permission(
                    f"Invoke{_construct_id(route.method)}",
                    principal=iam.ServicePrincipal("apigateway.amazonaws.com"),
                    action="lambda:InvokeFunction",
                    source_arn=api.arn_for_execute_api(route.method, method_arn_path(route.path), "*"),
                )


class ApiStack(cdk.Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeployConfig,
        tables: Tables,
        data: DataStack,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.config = config
        self.tables = tables
        prefix = config.prefix
        self.api = self._rest_api()
        if any(route.ip_throttled for route in tables.routes):
            self.web_acl = public_rate_limit(self, self.api.deployment_stage, tables.routes, prefix)
        self.usage_plans = self._usage_plans()
        self.portal = Portal(self, "Portal", api=self.api, routes=tables.routes, portal_dir=config.portal_dir)
        shared = Shared(
            wiring=self._wiring(data),
            layers=(
                assets.dependencies_layer(self, "DependenciesLayer"),
                assets.domain_layer(self, "DomainLayer"),
            ),
            name_prefix=prefix,
            memory_mb=config.function_memory_mb,
            log_retention=_retention(config.log_retention_days),
        )
        self.workers = WorkersStack(
            self,
            "Workers",
            shared=shared,
            tables=tables,
            queues=dict(data.queues),
            alarm_topic=data.alarm_topic,
        )
        self.authorizer = self._authorizer(shared) if any(not r.is_public for r in tables.routes) else None
        by_tag: dict[str, list[Route]] = defaultdict(list)
        for route in tables.routes:
            by_tag[route.tag].append(route)
        self.route_stacks = {
            tag: RoutesStack(
                self, f"{_construct_id(tag)}Routes", tag=tag, rows=rows, api=self.api, shared=shared
            )
            for tag, rows in sorted(by_tag.items())
        }
        self.methods = {route.key: self._method(route) for route in tables.routes}
        alarm(
            self,
            "Api5xxAlarm",
            metric=self.api.metric_server_error(period=cdk.Duration.minutes(5), statistic="Sum"),
            threshold=API_5XX_THRESHOLD,
            description="The API answered 5xx at least 5 times in 5 minutes.",
            topic=data.alarm_topic,
        )
        cdk.CfnOutput(self, "ApiUrl", value=self.api.url)
        cdk.CfnOutput(self, "PortalUrl", value=self.portal.url)
        cdk.CfnOutput(self, "TokenIssuer", value=shared.wiring.base_env[env_name("issuer")])

    def _rest_api(self) -> apigw.RestApi:
        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            retention=_retention(self.config.log_retention_days),
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        api = apigw.RestApi(
            self,
            "RestApi",
            rest_api_name=f"{self.config.prefix}-api",
            description="AgentGate: identity, governance and cost control for AI agents",
            api_key_source_type=apigw.ApiKeySourceType.AUTHORIZER,
            endpoint_types=[apigw.EndpointType.REGIONAL],
            # OTLP/HTTP protobuf exports (POST /v1/traces) reach their function as base64, unaltered.
            binary_media_types=["application/x-protobuf"],
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=cdk.RemovalPolicy.RETAIN,
            deploy_options=apigw.StageOptions(
                stage_name=API_STAGE_NAME,
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.custom(json.dumps(ACCESS_LOG_FORMAT)),
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,
                metrics_enabled=True,
                # X-Ray off: its SDK adds ~0.45 s to every cold start (CONVENTIONS.md).
                tracing_enabled=False,
            ),
        )
        for row in GATEWAY_RESPONSES:
            headers = {"Content-Type": "'application/json'"}
            if row.retry_after:
                headers["Retry-After"] = f"'{row.retry_after}'"
            api.add_gateway_response(
                _construct_id(row.type),
                type=apigw.ResponseType.of(row.type),
                status_code=str(row.status) if row.status else None,
                response_headers=headers,
                templates={"application/json": error_template(row.code, row.message)},
            )
        role = api.node.find_child("CloudWatchRole")
        acknowledge(
            role,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
            "API Gateway's account-level logging role; this managed policy is the documented one.",
        )
        acknowledge(
            api,
            "AwsSolutions-APIG2",
            "Each function validates body and query with pydantic: API.md's 400 naming the field.",
        )
        acknowledge(
            api.deployment_stage,
            "AwsSolutions-APIG3",
            "Usage plans throttle each tenant; a WAF web ACL (waf.py) rate-limits public routes per IP.",
        )
        return api

    def _usage_plans(self) -> dict[str, apigw.UsagePlan]:
        plans = {}
        for tier in self.tables.tiers:
            name = tier.name
            plans[name] = self.api.add_usage_plan(
                f"{_construct_id(name)}UsagePlan",
                name=f"{self.config.prefix}-{name}",
                description=f"AgentGate {name} tier",
                throttle=apigw.ThrottleSettings(rate_limit=tier.rate_per_second, burst_limit=tier.burst),
                quota=apigw.QuotaSettings(limit=tier.daily_quota, period=apigw.Period.DAY),
                api_stages=[apigw.UsagePlanPerApiStage(api=self.api, stage=self.api.deployment_stage)],
            )
        return plans

    def _wiring(self, data: DataStack) -> Wiring:
        portal_url = self.portal.url
        base_env = {
            **settings_env(
                stage=self.config.stage,
                issuer=self.config.token_issuer or portal_url,
                token_audience=self.config.token_audience,
                access_token_ttl_seconds=self.config.access_token_ttl_seconds,
                authorizer_cache_ttl_seconds=self.config.authorizer_cache_ttl_seconds,
                signing_mode=self.config.signing_mode,
                signing_key_rotation_days=self.config.signing_key_rotation_days,
                portal_url=portal_url,
            ),
            "POWERTOOLS_SERVICE_NAME": "agentgate",
            "POWERTOOLS_METRICS_NAMESPACE": "AgentGate",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "INFO",
        }
        usage_plan_ids = cdk.Fn.join(
            ",", [cdk.Fn.join("=", [name, plan.usage_plan_id]) for name, plan in self.usage_plans.items()]
        )
        return Wiring(
            table=data.table,
            streams=dict(data.streams),
            signing_key=data.signing_key,
            signing_key_alias=self.config.signing_key_alias,
            key_encryption_key=data.key_encryption_key,
            key_encryption_key_alias=self.config.key_encryption_key_alias,
            api_stage=API_STAGE_NAME,
            user_pool=data.user_pool,
            user_pool_client=data.user_pool_client,
            queues=dict(data.queues),
            queue_url_settings=dict(data.queue_url_settings),
            dead_letter_queue=data.dead_letter_queue,
            state_machines={
                w.name: state_machine_arn(self, self.config.prefix, w) for w in self.tables.workflows
            },
            state_machine_settings={w.name: w.arn_setting for w in self.tables.workflows},
            rest_api_id=self.api.rest_api_id,
            usage_plan_ids=usage_plan_ids,
            stripe_secret=data.stripe_secret,
            stripe_env={
                name: value
                for name, value in {
                    "STRIPE_PRICE_IDS": self.config.stripe_price_ids,
                    "STRIPE_METER_API_CALLS": self.config.stripe_meter_api_calls,
                    "STRIPE_METER_RUNS": self.config.stripe_meter_runs,
                }.items()
                if value
            },
            base_env=base_env,
        )

    def _authorizer(self, shared: Shared) -> apigw.RequestAuthorizer:
        if not assets.handler_exists(AUTHORIZER_HANDLER):
            raise FileNotFoundError(
                f"routes need credentials but functions/{AUTHORIZER_HANDLER}.py (the authorizer) is missing"
            )
        spec = FunctionSpec(
            AUTHORIZER_HANDLER, AUTHORIZER_GRANTS, AUTHORIZER_TIMEOUT, "REST API REQUEST authorizer"
        )
        function = AgentGateFunction(self, "Authorizer", spec=spec, shared=shared)
        return apigw.RequestAuthorizer(
            self,
            "RequestAuthorizer",
            authorizer_name=f"{self.config.prefix}-authorizer",
            handler=function.function,
            identity_sources=[apigw.IdentitySource.header("Authorization")],
            results_cache_ttl=cdk.Duration.seconds(self.config.authorizer_cache_ttl_seconds),
        )

    def _method(self, route: Route) -> apigw.Method:
        resource = self.api.root.resource_for_path(route.path)
        integration = apigw.Integration(
            type=apigw.IntegrationType.AWS_PROXY,
            integration_http_method="POST",
            uri=integration_uri(self, self.config.prefix, route.handler),
        )
        if route.is_public:
            method = resource.add_method(
                route.method,
                integration,
                operation_name=route.handler,
                authorization_type=apigw.AuthorizationType.NONE,
                api_key_required=False,
            )
            acknowledge(method, "AwsSolutions-APIG4", f"{route.key} is public in API.md.")
            acknowledge(method, "AwsSolutions-COG4", f"{route.key} is public in API.md.")
            return method
        method = resource.add_method(
            route.method,
            integration,
            operation_name=route.handler,
            authorization_type=apigw.AuthorizationType.CUSTOM,
            authorizer=self.authorizer,
            api_key_required=True,  # the authorizer returns the tenant's key: its tier's usage plan applies
        )
        acknowledge(
            method,
            "AwsSolutions-COG4",
            "One Lambda REQUEST authorizer validates agent tokens, API keys and Cognito tokens alike.",
        )
        return method


_RETENTION = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    731: logs.RetentionDays.TWO_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}


def _retention(days: int) -> logs.RetentionDays:
    if days not in _RETENTION:
        raise ValueError(f"logRetentionDays must be one of {sorted(_RETENTION)}, got {days}")
    return _RETENTION[days]

"""The synthesized templates against the declarative tables: wiring, least privilege, limits, lint.

One synthesis serves the whole module. Every assertion is generic over the tables' rows, so
it holds (or fails) for whatever routes, consumers, schedules and workflows exist.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agentgate.auth.rotation import SIGNING_KEY_TAG, SIGNING_KEY_TAG_VALUE
from agentgate.consumers import CONSUMERS, QUEUE_CONSUMERS, STREAMS
from agentgate.platform.table import INDEXES, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE
from agentgate.routes import ROUTES, Route
from agentgate.schedules import SCHEDULES
from agentgate.tiers import TIERS
from agentgate.workflows import WORKFLOWS
from infra.local.apigw import STAGE as LOCAL_STAGE
from tests.infra.assembly import Assembly, Resource, joined, synthesize

pytestmark = pytest.mark.infra

CLOUDFORMATION_RESOURCE_LIMIT = 500
TABLE_WRITE_ACTIONS = {
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:TransactWriteItems",
    "dynamodb:PartiQLInsert",
    "dynamodb:PartiQLUpdate",
    "dynamodb:PartiQLDelete",
}
API_TEMPLATE = "AgentGate-Api.template.json"
DATA_TEMPLATE = "AgentGate-Data.template.json"


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Assembly:
    # Without a built portal: these tests are about our functions, not CDK's deployment handler
    # (test_nag.py checks the app with the portal deployed).
    no_portal = tmp_path_factory.mktemp("no-portal")
    built = synthesize(tmp_path_factory.mktemp("cdk.out"), nag=False, context={"portalDir": str(no_portal)})
    assert built.error is None, built.error
    return built


# --- helpers over the templates -------------------------------------------------------------------


def _functions_by_name(assembly: Assembly) -> dict[str, Resource]:
    return {fn.properties["FunctionName"]: fn for fn in assembly.resources("AWS::Lambda::Function")}


def _function_for_handler(assembly: Assembly, handler: str) -> Resource:
    matches = [
        fn
        for fn in assembly.resources("AWS::Lambda::Function")
        if fn.properties["Handler"] == f"{handler}.handler"
    ]
    assert len(matches) == 1, f"{handler}: {len(matches)} functions"
    return matches[0]


def _resource_paths(assembly: Assembly) -> dict[str, str]:
    """API Gateway resource logical id -> its full path."""
    resources = {r.logical_id: r.properties for r in assembly.resources("AWS::ApiGateway::Resource")}
    paths: dict[str, str] = {}

    def path_of(logical_id: str) -> str:
        if logical_id not in paths:
            props = resources[logical_id]
            parent = props["ParentId"]
            prefix = path_of(parent["Ref"]) if "Ref" in parent else ""
            paths[logical_id] = f"{prefix}/{props['PathPart']}"
        return paths[logical_id]

    for logical_id in resources:
        path_of(logical_id)
    return paths


def _methods(assembly: Assembly) -> dict[str, Resource]:
    """``"GET /api/v1/agents"`` -> its method."""
    paths = _resource_paths(assembly)
    methods = {}
    for method in assembly.resources("AWS::ApiGateway::Method"):
        resource_id = method.properties["ResourceId"]
        path = paths[resource_id["Ref"]] if "Ref" in resource_id else "/"
        methods[f"{method.properties['HttpMethod']} {path}"] = method
    return methods


def _integrated_function_name(method: Resource) -> str:
    uri = joined(method.properties["Integration"]["Uri"])
    found = re.search(r":function:([^/:]+)/invocations$", uri)
    assert found, uri
    return found.group(1)


def _role_statements(assembly: Assembly, function: Resource) -> list[dict[str, Any]]:
    """Every IAM statement of the function's role: inline policies and attached AWS::IAM::Policy."""
    role_id = function.properties["Role"]["Fn::GetAtt"][0]
    role = assembly.resource(function.template, role_id)
    documents = [policy["PolicyDocument"] for policy in role.properties.get("Policies", [])]
    for policy in assembly.resources("AWS::IAM::Policy"):
        if policy.template == function.template and {"Ref": role_id} in policy.properties.get("Roles", []):
            documents.append(policy.properties["PolicyDocument"])
    assert not role.properties.get("ManagedPolicyArns"), f"{role_id} has managed policies"
    statements = []
    for document in documents:
        statements += document["Statement"]
    return statements


def _actions(statement: dict[str, Any]) -> set[str]:
    actions = statement.get("Action", [])
    return {actions} if isinstance(actions, str) else set(actions)


def _resources_of(statement: dict[str, Any]) -> list[str]:
    resources = statement.get("Resource", [])
    return [joined(r) for r in (resources if isinstance(resources, list) else [resources])]


def _route_functions(assembly: Assembly) -> Iterator[tuple[Route, Resource]]:
    for route in ROUTES:
        yield route, _function_for_handler(assembly, route.handler)


# --- limits ---------------------------------------------------------------------------------------


def test_every_template_stays_under_the_cloudformation_resource_limit(assembly: Assembly) -> None:
    counts = {name: len(t.get("Resources", {})) for name, t in assembly.templates.items()}
    assert len(counts) >= 2
    assert all(count < CLOUDFORMATION_RESOURCE_LIMIT for count in counts.values()), counts


def test_cfn_lint_finds_nothing_in_the_synthesized_templates(assembly: Assembly) -> None:
    templates = [str(assembly.outdir / name) for name in assembly.templates]
    result = subprocess.run(
        [str(Path(sys.executable).with_name("cfn-lint")), "--format", "parseable", *templates],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- routes ---------------------------------------------------------------------------------------


def test_every_route_has_exactly_one_method_and_no_method_lacks_a_route(assembly: Assembly) -> None:
    assert set(_methods(assembly)) == {route.key for route in ROUTES}


def test_every_route_method_integrates_with_its_own_function(assembly: Assembly) -> None:
    methods, functions = _methods(assembly), _functions_by_name(assembly)
    for route in ROUTES:
        method = methods[route.key]
        assert method.properties["Integration"]["Type"] == "AWS_PROXY"
        function = functions[_integrated_function_name(method)]
        assert function.properties["Handler"] == f"{route.handler}.handler", route.key


def test_each_route_function_may_be_invoked_by_its_own_methods_only(assembly: Assembly) -> None:
    for route, function in _route_functions(assembly):
        permissions = [
            p
            for p in assembly.resources("AWS::Lambda::Permission")
            if p.template == function.template
            and p.properties["FunctionName"] == {"Fn::GetAtt": [function.logical_id, "Arn"]}
        ]
        sources = {joined(p.properties["SourceArn"]).split("/*/", 1)[1] for p in permissions}
        own = {
            f"{r.method}/{re.sub(r'{[^}]+}', '*', r.path).lstrip('/')}"
            for r in ROUTES
            if r.handler == route.handler
        }
        assert sources == own, route.key


def test_every_function_has_a_role_of_its_own_without_managed_policies(assembly: Assembly) -> None:
    roles = [
        (fn.template, fn.properties["Role"]["Fn::GetAtt"][0])
        for fn in assembly.resources("AWS::Lambda::Function")
    ]
    assert len(roles) == len(set(roles))
    for function in assembly.resources("AWS::Lambda::Function"):
        _role_statements(assembly, function)  # asserts no managed policy


def test_read_routes_roles_cannot_write_the_table(assembly: Assembly) -> None:
    read_routes = [
        (r, fn)
        for r, fn in _route_functions(assembly)
        if not any(x.writes for x in ROUTES if x.handler == r.handler)
    ]
    assert read_routes, "no read route to check"
    for route, function in read_routes:
        actions = set().union(*(_actions(s) for s in _role_statements(assembly, function)))
        assert not actions & TABLE_WRITE_ACTIONS, route.key
        assert not any(a in {"dynamodb:*", "*"} for a in actions), route.key


def test_write_routes_roles_may_write_the_table_and_only_the_table(assembly: Assembly) -> None:
    write_routes = [(r, fn) for r, fn in _route_functions(assembly) if r.writes]
    for route, function in write_routes:
        writes = [s for s in _role_statements(assembly, function) if _actions(s) & TABLE_WRITE_ACTIONS]
        assert writes, route.key
        for statement in writes:
            assert all("Table" in r for r in _resources_of(statement)), (route.key, statement)


def test_routes_without_table_grants_get_no_table_access(assembly: Assembly) -> None:
    for route, function in _route_functions(assembly):
        if any(
            g.startswith("table:") or g == "health:probes"
            for r in ROUTES
            if r.handler == route.handler
            for g in r.grants
        ):
            continue
        actions = set().union(set(), *(_actions(s) for s in _role_statements(assembly, function)))
        assert not {a for a in actions if a.startswith("dynamodb:")}, route.key
        assert "TABLE_NAME" not in function.properties["Environment"]["Variables"], route.key


def test_the_authorizer_guards_exactly_the_non_public_routes(assembly: Assembly) -> None:
    authorizers = list(assembly.resources("AWS::ApiGateway::Authorizer"))
    methods = _methods(assembly)
    if all(route.is_public for route in ROUTES):
        assert authorizers == []
        return
    assert len(authorizers) == 1
    authorizer = authorizers[0]
    assert authorizer.properties["Type"] == "REQUEST"
    assert authorizer.properties["IdentitySource"] == "method.request.header.Authorization"
    assert authorizer.properties["AuthorizerResultTtlInSeconds"] == 60
    function_id = authorizer.properties["AuthorizerUri"]["Fn::Join"][1][-2]["Fn::GetAtt"][0]
    assert assembly.resource(API_TEMPLATE, function_id).properties["Handler"] == "authorizer.handler"
    for route in ROUTES:
        props = methods[route.key].properties
        if route.is_public:
            assert props["AuthorizationType"] == "NONE", route.key
            assert "AuthorizerId" not in props and not props.get("ApiKeyRequired"), route.key
        else:
            assert props["AuthorizationType"] == "CUSTOM", route.key
            assert props["AuthorizerId"] == {"Ref": authorizer.logical_id}, route.key
            assert props["ApiKeyRequired"] is True, route.key


def test_the_api_takes_usage_plan_keys_from_the_authorizer(assembly: Assembly) -> None:
    (api,) = assembly.resources("AWS::ApiGateway::RestApi")
    assert api.properties["ApiKeySourceType"] == "AUTHORIZER"


def test_one_usage_plan_per_tier_with_its_throttle_and_daily_quota(assembly: Assembly) -> None:
    plans = {
        p.properties["UsagePlanName"]: p.properties for p in assembly.resources("AWS::ApiGateway::UsagePlan")
    }
    assert len(plans) == len(TIERS)
    for name, tier in TIERS.items():
        plan = plans[f"agentgate-prod-{name}"]
        assert plan["Throttle"] == {"RateLimit": tier.rate_per_second, "BurstLimit": tier.burst}
        assert plan["Quota"] == {"Limit": tier.daily_quota, "Period": "DAY"}
        assert len(plan["ApiStages"]) == 1


def test_gateway_responses_answer_the_api_error_body(assembly: Assembly) -> None:
    responses = {
        r.properties["ResponseType"]: r.properties
        for r in assembly.resources("AWS::ApiGateway::GatewayResponse")
    }
    expected = {"UNAUTHORIZED": "401", "ACCESS_DENIED": "403", "THROTTLED": "429", "QUOTA_EXCEEDED": "429"}
    for response_type, status in expected.items():
        assert responses[response_type]["StatusCode"] == status
    assert {"DEFAULT_4XX", "DEFAULT_5XX"} <= set(responses)
    for response in responses.values():
        body = json.loads(response["ResponseTemplates"]["application/json"])
        assert set(body["error"]) == {"code", "message", "details"}
        assert re.fullmatch(r"[a-z_]+", body["error"]["code"])


def test_throttled_and_over_quota_answers_carry_retry_after(assembly: Assembly) -> None:
    responses = {
        r.properties["ResponseType"]: r.properties
        for r in assembly.resources("AWS::ApiGateway::GatewayResponse")
    }
    for response_type in ("THROTTLED", "QUOTA_EXCEEDED"):
        value = responses[response_type]["ResponseParameters"]["gatewayresponse.header.Retry-After"]
        assert re.fullmatch(r"'\d+'", value), value


def test_the_stage_writes_json_access_logs_without_x_ray(assembly: Assembly) -> None:
    (stage,) = assembly.resources("AWS::ApiGateway::Stage")
    assert stage.properties["StageName"] == LOCAL_STAGE  # the stage the local gateway's events name
    log_format = json.loads(stage.properties["AccessLogSetting"]["Format"])
    assert {"request_id", "status", "tenant_id"} <= set(log_format)
    assert stage.properties["AccessLogSetting"]["DestinationArn"]
    assert stage.properties.get("TracingEnabled") is False


# --- functions ------------------------------------------------------------------------------------


def test_functions_run_the_newest_python_on_arm64_with_both_layers(assembly: Assembly) -> None:
    layers = {r.logical_id for r in assembly.resources("AWS::Lambda::LayerVersion")}
    assert len(layers) == 2
    for function in assembly.resources("AWS::Lambda::Function"):
        if function.properties.get("Runtime", "").startswith(
            "python"
        ) and "agentgate" in function.properties.get("FunctionName", ""):
            assert function.properties["Runtime"] == "python3.14"
            assert function.properties["Architectures"] == ["arm64"]
            assert len(function.properties["Layers"]) == 2
            assert function.properties.get("TracingConfig", {"Mode": "PassThrough"})["Mode"] == "PassThrough"


def test_every_table_row_has_a_function_with_its_handler(assembly: Assembly) -> None:
    handlers = {
        fn.properties["Handler"].removesuffix(".handler")
        for fn in assembly.resources("AWS::Lambda::Function")
    }
    wanted = (
        {r.handler for r in ROUTES} | {c.handler for c in CONSUMERS} | {q.handler for q in QUEUE_CONSUMERS}
    )
    wanted |= {s.handler for s in SCHEDULES} | {h for w in WORKFLOWS for h in w.tasks.values()}
    assert wanted <= handlers


def test_functions_get_the_settings_their_grants_need(assembly: Assembly) -> None:
    needs = {
        "table:read": {"TABLE_NAME"},
        "table:write": {"TABLE_NAME"},
        "stream:runs": {"RUNS_STREAM_NAME"},
        "stream:analytics": {"ANALYTICS_STREAM_NAME"},
        "kms:sign": {"SIGNING_KEY_ALIAS"},
        "kms:public-key": {"SIGNING_KEY_ALIAS"},
        "cognito": {"USER_POOL_ID", "USER_POOL_CLIENT_ID", "COGNITO_JWKS_URL"},
        "apigateway:api-keys": {"REST_API_ID", "USAGE_PLAN_IDS"},
        "states:approvals": {"APPROVAL_STATE_MACHINE_ARN"},
        "queue:webhooks": {"WEBHOOK_QUEUE_URL"},
        "queue:billing": {"BILLING_QUEUE_URL"},
        "stripe": {"STRIPE_SECRET_ARN"},
    }
    for route, function in _route_functions(assembly):
        env = function.properties["Environment"]["Variables"]
        assert {"TOKEN_ISSUER", "STAGE", "PORTAL_URL"} <= set(env), route.key
        for grant in route.grants:
            assert needs.get(grant, set()) <= set(env), (route.key, grant)
        if "apigateway:api-keys" in route.grants:
            assert [part["Fn::Join"][1][0] for part in env["USAGE_PLAN_IDS"]["Fn::Join"][1]] == list(TIERS)


# --- data -----------------------------------------------------------------------------------------


def test_the_table_matches_its_definition(assembly: Assembly) -> None:
    (table,) = assembly.resources("AWS::DynamoDB::Table")
    props = table.properties
    assert props["KeySchema"] == [
        {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
        {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
    ]
    indexes = {i["IndexName"]: i for i in props["GlobalSecondaryIndexes"]}
    assert set(indexes) == set(INDEXES)
    for name, (pk, sk) in INDEXES.items():
        assert [k["AttributeName"] for k in indexes[name]["KeySchema"]] == [pk, sk]
        assert indexes[name]["Projection"] == {"ProjectionType": "ALL"}
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["TimeToLiveSpecification"] == {"AttributeName": TTL_ATTRIBUTE, "Enabled": True}
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True


def test_streams_have_their_shard_counts_and_are_encrypted(assembly: Assembly) -> None:
    streams = list(assembly.resources("AWS::Kinesis::Stream"))
    assert sorted(s.properties["ShardCount"] for s in streams) == sorted(STREAMS.values())
    for stream in streams:
        assert stream.properties["StreamEncryption"] == {
            "EncryptionType": "KMS",
            "KeyId": "alias/aws/kinesis",
        }


def test_the_signing_key_is_an_ecc_p256_signing_key_with_its_alias(assembly: Assembly) -> None:
    keys = [k for k in assembly.resources("AWS::KMS::Key") if k.properties.get("KeySpec") == "ECC_NIST_P256"]
    assert len(keys) == 1 and keys[0].properties["KeyUsage"] == "SIGN_VERIFY"
    aliases = {
        a.properties["AliasName"]: a.properties["TargetKeyId"] for a in assembly.resources("AWS::KMS::Alias")
    }
    assert aliases["alias/agentgate-token-signing"] == {"Fn::GetAtt": [keys[0].logical_id, "Arn"]}
    assert {"Key": SIGNING_KEY_TAG, "Value": SIGNING_KEY_TAG_VALUE} in keys[0].properties["Tags"]


def test_signing_routes_may_use_only_keys_tagged_for_token_signing(assembly: Assembly) -> None:
    signers = [(r, fn) for r, fn in _route_functions(assembly) if "kms:sign" in r.grants]
    assert signers, "no route signs tokens"
    for route, function in signers:
        statements = [s for s in _role_statements(assembly, function) if "kms:Sign" in _actions(s)]
        assert statements, route.key
        for statement in statements:
            condition = statement["Condition"]["StringEquals"]
            assert condition == {f"aws:ResourceTag/{SIGNING_KEY_TAG}": SIGNING_KEY_TAG_VALUE}, route.key


def test_the_envelope_keys_are_sealed_under_a_rotated_symmetric_key_opened_only_with_a_kid(
    assembly: Assembly,
) -> None:
    aliases = {
        a.properties["AliasName"]: a.properties["TargetKeyId"] for a in assembly.resources("AWS::KMS::Alias")
    }
    target = aliases["alias/agentgate-token-key-encryption"]["Fn::GetAtt"][0]
    [key] = [k for k in assembly.resources("AWS::KMS::Key") if k.logical_id == target]
    assert key.properties.get("KeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"
    assert key.properties["EnableKeyRotation"] is True
    token = _function_for_handler(assembly, "oauth_token")
    [decrypt] = [s for s in _role_statements(assembly, token) if "kms:Decrypt" in _actions(s)]
    assert decrypt["Condition"] == {"Null": {"kms:EncryptionContext:agentgate:signing-kid": "false"}}
    env = token.properties["Environment"]["Variables"]
    assert env["SIGNING_MODE"] == "envelope" and env["KEY_ENCRYPTION_KEY_ALIAS"].endswith("key-encryption")
    rotation = _function_for_handler(assembly, "rotate_signing_key")
    [generate] = [s for s in _role_statements(assembly, rotation) if "kms:GenerateDataKey" in _actions(s)]
    assert generate["Condition"] == decrypt["Condition"]


def test_only_the_pause_functions_may_flush_and_only_the_stage_authorizer_cache(assembly: Assembly) -> None:
    flushers = {r.handler for r in ROUTES if "apigateway:flush-authorizer-cache" in r.grants}
    flushers |= {c.handler for c in CONSUMERS if "apigateway:flush-authorizer-cache" in c.grants}
    assert {"agents_pause", "agents_resume", "emergency_pause_all", "emergency_resume_all"} <= flushers
    for handler in {r.handler for r in ROUTES} | {c.handler for c in CONSUMERS}:
        function = _function_for_handler(assembly, handler)
        deletes = [s for s in _role_statements(assembly, function) if "apigateway:DELETE" in _actions(s)]
        paths = [r for s in deletes for r in _resources_of(s) if "/cache/authorizers" in r]
        if handler in flushers:
            assert len(paths) == 1 and paths[0].endswith("/stages/v1/cache/authorizers"), handler
            env = function.properties["Environment"]["Variables"]
            assert env["API_STAGE"] == "v1" and "REST_API_ID" in env, handler
        else:
            assert not paths, handler


def test_the_user_pool_client_allows_password_and_refresh_sign_in(assembly: Assembly) -> None:
    (client,) = assembly.resources("AWS::Cognito::UserPoolClient")
    assert {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"} <= set(
        client.properties["ExplicitAuthFlows"]
    )
    assert client.properties["GenerateSecret"] is False


# --- consumers, timers, workflows -------------------------------------------------------------------


def test_each_stream_consumer_reads_its_stream_with_partial_failures_bisect_and_a_dead_letter(
    assembly: Assembly,
) -> None:
    mappings = list(assembly.resources("AWS::Lambda::EventSourceMapping"))
    for consumer in CONSUMERS:
        function = _function_for_handler(assembly, consumer.handler)
        (mapping,) = [
            m
            for m in mappings
            if m.properties["FunctionName"] == {"Ref": function.logical_id}
            and "Stream" in joined(m.properties["EventSourceArn"])
        ]
        props = mapping.properties
        assert f"{consumer.stream.title()}Stream" in joined(props["EventSourceArn"])
        assert props["BatchSize"] == consumer.batch_size
        assert props["MaximumBatchingWindowInSeconds"] == consumer.max_batching_window_seconds
        assert props["MaximumRetryAttempts"] == consumer.retry_attempts
        assert props["BisectBatchOnFunctionError"] is consumer.bisect_on_error
        assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert "StreamFailuresQueue" in joined(props["DestinationConfig"]["OnFailure"]["Destination"])


def test_each_queue_consumer_drains_its_queue_which_has_a_dead_letter_queue(assembly: Assembly) -> None:
    queues = {q.logical_id: q.properties for q in assembly.resources("AWS::SQS::Queue")}
    for consumer in QUEUE_CONSUMERS:
        function = _function_for_handler(assembly, consumer.handler)
        (mapping,) = [
            m
            for m in assembly.resources("AWS::Lambda::EventSourceMapping")
            if m.properties["FunctionName"] == {"Ref": function.logical_id}
        ]
        assert mapping.properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert mapping.properties["BatchSize"] == consumer.batch_size
        queue_id = next(q for q in queues if re.match(rf"{_camel(consumer.name)}Queue[0-9A-F]{{8}}$", q))
        queue = queues[queue_id]
        assert queue["RedrivePolicy"]["maxReceiveCount"] == consumer.max_receive_count
        assert queue["VisibilityTimeout"] == consumer.visibility_timeout_seconds
        assert queue_id in joined(mapping.properties["EventSourceArn"])


def test_each_schedule_is_a_rule_invoking_its_function_with_a_dead_letter_queue(assembly: Assembly) -> None:
    rules = list(assembly.resources("AWS::Events::Rule"))
    assert len(rules) == len(SCHEDULES)
    for schedule in SCHEDULES:
        function = _function_for_handler(assembly, schedule.handler)
        (rule,) = [r for r in rules if r.properties["ScheduleExpression"] == schedule.expression]
        (target,) = rule.properties["Targets"]
        assert target["Arn"] == {"Fn::GetAtt": [function.logical_id, "Arn"]}
        assert "DeadLetterConfig" in target


def test_each_workflow_is_a_state_machine_calling_its_own_task_functions(assembly: Assembly) -> None:
    machines = {
        m.properties["StateMachineName"]: m for m in assembly.resources("AWS::StepFunctions::StateMachine")
    }
    assert len(machines) == len(WORKFLOWS)
    for workflow in WORKFLOWS:
        machine = machines[f"agentgate-prod-{workflow.name}"]
        substitutions = machine.properties["DefinitionSubstitutions"]
        assert set(substitutions) == set(workflow.tasks)
        for placeholder, handler in workflow.tasks.items():
            function = _function_for_handler(assembly, handler)
            assert substitutions[placeholder] == {"Fn::GetAtt": [function.logical_id, "Arn"]}
        assert machine.properties["LoggingConfiguration"]["Level"] == "ALL"


# --- alarms and portal ---------------------------------------------------------------------------------


def test_alarms_watch_every_dead_letter_queue_the_streams_and_the_api(assembly: Assembly) -> None:
    alarms = list(assembly.resources("AWS::CloudWatch::Alarm"))
    metrics = [(a.properties.get("Namespace"), a.properties.get("MetricName")) for a in alarms]
    dead_letter_queues = [
        q for q in assembly.resources("AWS::SQS::Queue") if "RedrivePolicy" not in q.properties
    ]
    watched = {
        joined(d["Value"])
        for a in alarms
        if a.properties.get("MetricName") == "ApproximateNumberOfMessagesVisible"
        for d in a.properties["Dimensions"]
    }
    for queue in dead_letter_queues:
        assert any(queue.logical_id in w for w in watched), queue.logical_id
    assert metrics.count(("AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds")) == len(STREAMS)
    assert metrics.count(("AWS/Lambda", "IteratorAge")) == len(CONSUMERS)
    assert ("AWS/ApiGateway", "5XXError") in metrics
    assert all(a.properties["AlarmActions"] for a in alarms)


def test_the_portal_is_served_from_a_private_bucket_and_every_route_reaches_the_api(
    assembly: Assembly,
) -> None:
    (distribution,) = assembly.resources("AWS::CloudFront::Distribution")
    config = distribution.properties["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]}
    default_origin = origins[config["DefaultCacheBehavior"]["TargetOriginId"]]
    assert "OriginAccessControlId" in default_origin
    api_behaviors = [
        b for b in config["CacheBehaviors"] if "CustomOriginConfig" in origins[b["TargetOriginId"]]
    ]
    patterns = [b["PathPattern"] for b in api_behaviors]
    for route in ROUTES:
        assert any(_cloudfront_matches(p, route.path) for p in patterns), route.key
    assert len(config["CacheBehaviors"]) <= 25


def _cloudfront_matches(pattern: str, path: str) -> bool:
    concrete = re.sub(r"{[^}]+}", "x", path)
    return re.fullmatch(re.escape(pattern).replace(r"\*", ".*"), concrete) is not None


def _camel(name: str) -> str:
    return "".join(part.title() for part in re.split(r"[^A-Za-z0-9]+", name) if part)


GRANT_ACTIONS = {
    "table:read": "dynamodb:Query",
    "table:write": "dynamodb:PutItem",
    "stream:": "kinesis:PutRecord",
    "kms:sign": "kms:Sign",
    "kms:public-key": "kms:GetPublicKey",
    "cognito": "cognito-idp:AdminCreateUser",
    "states:": "states:StartExecution",
    "queue:": "sqs:SendMessage",
    "apigateway:api-keys": "apigateway:POST",
    "health:probes": "dynamodb:DescribeTable",
    "stripe": "secretsmanager:GetSecretValue",
    "kms:open-signing-key": "kms:Decrypt",
    "kms:rotate-signing-key": "kms:GenerateDataKey",
    "apigateway:flush-authorizer-cache": "apigateway:DELETE",
}


def test_every_grant_of_every_row_becomes_its_permission(assembly: Assembly) -> None:
    rows = [(r.handler, r.grants) for r in ROUTES] + [(c.handler, c.grants) for c in CONSUMERS]
    rows += [(q.handler, q.grants) for q in QUEUE_CONSUMERS] + [(s.handler, s.grants) for s in SCHEDULES]
    rows += [(h, w.grants) for w in WORKFLOWS for h in w.tasks.values()]
    for handler, grants in rows:
        actions = set().union(
            *(_actions(s) for s in _role_statements(assembly, _function_for_handler(assembly, handler)))
        )
        for grant in grants:
            (action,) = [
                a
                for prefix, a in GRANT_ACTIONS.items()
                if grant == prefix or (prefix.endswith(":") and grant.startswith(prefix))
            ]
            assert action in actions, (handler, grant)
            if grant.startswith("queue:"):
                env = _function_for_handler(assembly, handler).properties["Environment"]["Variables"]
                assert any(name.endswith("_QUEUE_URL") for name in env), (handler, grant)


# --- billing --------------------------------------------------------------------------------------


def test_stripe_keys_live_in_secrets_manager_and_never_in_a_template(assembly: Assembly) -> None:
    secrets = list(assembly.resources("AWS::SecretsManager::Secret"))
    assert len(secrets) == 1
    generated = secrets[0].properties["GenerateSecretString"]
    assert json.loads(generated["SecretStringTemplate"]) == {"api_key": "", "webhook_secret": ""}
    assert "SecretString" not in secrets[0].properties
    text = json.dumps(assembly.templates)
    assert not re.search(r"(sk|rk)_(live|test)_[A-Za-z0-9]{8,}|whsec_[A-Za-z0-9+/=_-]{16,}", text)
    assert "STRIPE_API_KEY" not in text and "STRIPE_WEBHOOK_SECRET" not in text


def test_only_the_billing_functions_may_read_the_stripe_secret(assembly: Assembly) -> None:
    readers = {
        handler
        for handler in (
            "stripe_webhook",
            "billing_checkout",
            "billing_portal",
            "billing_worker",
            "analytics_rollup",
        )
        if "secretsmanager:GetSecretValue"
        in set().union(
            *(_actions(s) for s in _role_statements(assembly, _function_for_handler(assembly, handler)))
        )
    }
    assert readers == {
        "stripe_webhook",
        "billing_checkout",
        "billing_portal",
        "billing_worker",
        "analytics_rollup",
    }
    for handler in ("billing_subscription", "agents_create", "authorizer"):
        statements = _role_statements(assembly, _function_for_handler(assembly, handler))
        assert "secretsmanager:GetSecretValue" not in set().union(*(_actions(s) for s in statements)), handler


def test_the_public_ecosystem_routes_are_rate_limited_per_ip_by_a_waf_on_the_stage(
    assembly: Assembly,
) -> None:
    from agentgate.routes import PUBLIC_REQUESTS_PER_IP

    (acl,) = list(assembly.resources("AWS::WAFv2::WebACL"))
    (association,) = list(assembly.resources("AWS::WAFv2::WebACLAssociation"))
    (rule,) = acl.properties["Rules"]
    rate = rule["Statement"]["RateBasedStatement"]
    assert acl.properties["Scope"] == "REGIONAL" and "Allow" in acl.properties["DefaultAction"]
    assert rate["AggregateKeyType"] == "IP" and rate["Limit"] == PUBLIC_REQUESTS_PER_IP
    matches = {
        (s["ByteMatchStatement"]["PositionalConstraint"], s["ByteMatchStatement"]["SearchString"])
        for s in rate["ScopeDownStatement"]["OrStatement"]["Statements"]
    }
    assert matches == {
        ("ENDS_WITH", "/card"),
        ("ENDS_WITH", "/did.json"),
        ("CONTAINS", "/api/v1/marketplace/agents"),
    }
    assert rule["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429
    assert "Fn::GetAtt" in association.properties["WebACLArn"] or "Ref" in str(
        association.properties["WebACLArn"]
    )

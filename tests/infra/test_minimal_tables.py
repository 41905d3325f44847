"""The app over the smallest tables: one public route and nothing else, checked by cdk-nag too.

The tables grow while the app is built; this proves the empty cases (no protected route, no
consumer, timer or workflow) synthesize cleanly, and that a row naming a missing handler fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agentgate.routes import PUBLIC, Route
from agentgate.tiers import FREE
from infra.agentgate_cdk.tables import Tables
from tests.infra.assembly import Assembly, synthesize

pytestmark = pytest.mark.infra

HEALTH = Route(
    "GET",
    "/health/detailed",
    "health_detailed",
    PUBLIC,
    "probe",
    "health",
    grants=frozenset({"table:read", "health:probes"}),
)
MINIMAL = Tables(
    routes=(HEALTH,),
    consumers=(),
    queue_consumers=(),
    schedules=(),
    workflows=(),
    streams={"runs": 1},
    tiers=(FREE,),
)


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Assembly:
    empty_portal = tmp_path_factory.mktemp("portal")
    return synthesize(
        tmp_path_factory.mktemp("cdk.out"), nag=True, tables=MINIMAL, context={"portalDir": str(empty_portal)}
    )


def test_minimal_tables_synthesize_with_no_unacknowledged_finding(assembly: Assembly) -> None:
    assert assembly.error is None, assembly.error


def test_without_protected_routes_there_is_no_authorizer(assembly: Assembly) -> None:
    assert list(assembly.resources("AWS::ApiGateway::Authorizer")) == []
    (method,) = assembly.resources("AWS::ApiGateway::Method")
    assert method.properties["AuthorizationType"] == "NONE"


def test_without_workers_there_are_no_worker_resources(assembly: Assembly) -> None:
    for type_ in (
        "AWS::Lambda::EventSourceMapping",
        "AWS::Events::Rule",
        "AWS::StepFunctions::StateMachine",
        "Custom::CDKBucketDeployment",
    ):
        assert list(assembly.resources(type_)) == [], type_
    (function,) = assembly.resources("AWS::Lambda::Function")
    assert function.properties["Handler"] == "health_detailed.handler"


def test_without_a_workflow_the_health_probe_may_list_state_machines(assembly: Assembly) -> None:
    (function,) = assembly.resources("AWS::Lambda::Function")
    role = assembly.resource(function.template, function.properties["Role"]["Fn::GetAtt"][0])
    statements = role.properties["Policies"][0]["PolicyDocument"]["Statement"]
    assert {"Action": "states:ListStateMachines", "Effect": "Allow", "Resource": "*"} in statements
    assert "APPROVAL_STATE_MACHINE_ARN" not in function.properties["Environment"]["Variables"]


def test_one_usage_plan_per_tier_of_the_table(assembly: Assembly) -> None:
    (plan,) = assembly.resources("AWS::ApiGateway::UsagePlan")
    assert plan.properties["UsagePlanName"] == "agentgate-prod-free"


def test_a_row_naming_a_missing_handler_fails_the_synthesis(tmp_path: Path) -> None:
    missing = Route("GET", "/nowhere", "no_such_handler_module", PUBLIC, "missing", "health")
    tables = Tables(routes=(HEALTH, missing), consumers=(), queue_consumers=(), schedules=(), workflows=())
    with pytest.raises(FileNotFoundError, match="no_such_handler_module"):
        synthesize(tmp_path, nag=False, tables=tables)

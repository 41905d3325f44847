"""State machines run from their ASL in moto, with Lambda tasks invoked in-process (fixture ASL)."""

import json
import time

import boto3
import pytest
from moto import mock_aws

from agentgate.workflows import Workflow
from infra.local.handlers import FunctionRunner
from infra.local.resources import REPO_ROOT, provision
from infra.local.statemachines import MOTO_CONFIG, LambdaBridge, render_definition
from tests.fixtures import approval_request

FIXTURE = Workflow(
    "fixture-approval",
    "tests/fixtures/approval.asl.json",
    tasks={
        "RequestApprovalFunction": "fixture_approval_request",
        "RecordDecisionFunction": "fixture_approval_decision",
    },
    arn_setting="approval_state_machine_arn",
)
HANDLERS = {
    "fixture_approval_request": "tests.fixtures.approval_request",
    "fixture_approval_decision": "tests.fixtures.approval_decision",
}


@pytest.fixture
def states():
    approval_request.TOKENS.clear()
    approval_request.REQUESTS.clear()
    bridge = LambdaBridge(FunctionRunner(), resolve=HANDLERS.__getitem__)
    with mock_aws(config=MOTO_CONFIG):
        bridge.install()
        try:
            provisioned = provision(workflows=[FIXTURE])
            yield boto3.client("stepfunctions", region_name="us-east-1"), provisioned
        finally:
            bridge.uninstall()


def _wait(sfn, execution_arn, until=lambda d: d["status"] != "RUNNING", seconds=20.0):
    deadline = time.monotonic() + seconds
    while True:
        description = sfn.describe_execution(executionArn=execution_arn)
        if until(description) or time.monotonic() > deadline:
            return description
        time.sleep(0.05)


def _wait_for_token():
    deadline = time.monotonic() + 20
    while not approval_request.TOKENS and time.monotonic() < deadline:
        time.sleep(0.05)
    return approval_request.TOKENS[0]


def test_placeholders_become_fake_function_arns_naming_the_handler():
    definition = json.loads(render_definition(FIXTURE, REPO_ROOT))
    function = definition["States"]["RequestApproval"]["Parameters"]["FunctionName"]
    assert function == "arn:aws:lambda:us-east-1:123456789012:function:fixture_approval_request"


def test_provisioning_creates_the_state_machine_and_names_its_arn_in_the_setting(states):
    sfn, provisioned = states
    arn = provisioned.env["APPROVAL_STATE_MACHINE_ARN"]
    assert sfn.describe_state_machine(stateMachineArn=arn)["name"] == "agentgate-fixture-approval"


def test_an_execution_waits_for_its_task_token_then_runs_the_next_task(states):
    sfn, provisioned = states
    arn = provisioned.env["APPROVAL_STATE_MACHINE_ARN"]
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"request": {"action": "deploy"}}))
    token = _wait_for_token()
    assert approval_request.REQUESTS == [{"action": "deploy"}]
    assert sfn.describe_execution(executionArn=execution["executionArn"])["status"] == "RUNNING"
    sfn.send_task_success(taskToken=token, output=json.dumps({"approved": True}))
    done = _wait(sfn, execution["executionArn"])
    assert done["status"] == "SUCCEEDED"
    assert json.loads(done["output"]) == {"request": "deploy", "approved": True}


def test_a_task_that_raises_fails_the_execution_with_its_error(states):
    sfn, provisioned = states
    arn = provisioned.env["APPROVAL_STATE_MACHINE_ARN"]
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"request": {"action": "deploy"}}))
    sfn.send_task_success(taskToken=_wait_for_token(), output=json.dumps({"no": "verdict"}))
    done = _wait(sfn, execution["executionArn"])
    assert done["status"] == "FAILED"
    assert "KeyError" in (done.get("error", "") + done.get("cause", ""))

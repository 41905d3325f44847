"""The local stack provisions every row of the deployment's tables (the real tables, in-process moto)."""

import json

import boto3

from agentgate.consumers import CONSUMERS, QUEUE_CONSUMERS
from agentgate.tiers import TIERS
from agentgate.workflows import WORKFLOWS
from infra.local.resources import provision


def test_each_queue_consumer_gets_its_queue_with_a_redrive_policy_and_its_setting(aws):
    sqs = boto3.client("sqs")
    provisioned = provision()
    for queue in QUEUE_CONSUMERS:
        url = provisioned.queue_urls[queue.name]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        redrive = json.loads(attributes["RedrivePolicy"])
        assert int(redrive["maxReceiveCount"]) == queue.max_receive_count
        assert attributes["VisibilityTimeout"] == str(queue.visibility_timeout_seconds)
        assert aws[queue.url_setting.upper()] == url


def test_each_stream_consumer_has_an_on_failure_queue(aws):
    provisioned = provision()
    for consumer in CONSUMERS:
        url = provisioned.dead_letter_urls[consumer.name]
        assert boto3.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])


def test_each_workflow_is_a_state_machine_whose_arn_is_in_its_setting(aws):
    sfn = boto3.client("stepfunctions")
    for workflow in WORKFLOWS:
        arn = aws[workflow.arn_setting.upper()]
        definition = sfn.describe_state_machine(stateMachineArn=arn)["definition"]
        assert "${" not in definition
        for handler in workflow.tasks.values():
            assert f"arn:aws:lambda:us-east-1:123456789012:function:{handler}" in definition


def test_each_tier_is_a_usage_plan_with_its_throttle_and_quota(aws):
    apigateway = boto3.client("apigateway")
    plan_ids = dict(pair.split("=") for pair in aws["USAGE_PLAN_IDS"].split(","))
    assert set(plan_ids) == set(TIERS)
    for name, tier in TIERS.items():
        plan = apigateway.get_usage_plan(usagePlanId=plan_ids[name])
        assert plan["throttle"] == {"rateLimit": tier.rate_per_second, "burstLimit": tier.burst}
        assert plan["quota"]["limit"] == tier.daily_quota


def test_the_user_pools_keys_url_names_the_pool(aws):
    assert aws["COGNITO_JWKS_URL"] == (
        f"https://cognito-idp.us-east-1.amazonaws.com/{aws['USER_POOL_ID']}/.well-known/jwks.json"
    )

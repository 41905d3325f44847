"""Creates the deployment's resources in moto from the same definitions CDK uses.

Used by the local stack (against moto's server) and by the integration tests (in-process moto).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from agentgate.consumers import CONSUMERS, QUEUE_CONSUMERS, STREAMS, QueueConsumer, StreamConsumer
from agentgate.platform.settings import env_name, settings_env
from agentgate.platform.table import create_table
from agentgate.tiers import TIER_ORDER, TIERS
from agentgate.workflows import WORKFLOWS, Workflow

TOKEN_SIGNING_KEY_ALIAS = "alias/agentgate-token-signing"
KEY_ENCRYPTION_KEY_ALIAS = "alias/agentgate-token-key-encryption"
REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Provisioned:
    """What was created: the environment the functions need to find it, and the local stack's wiring."""

    env: dict[str, str] = field(default_factory=dict)
    queue_urls: dict[str, str] = field(default_factory=dict)  # queue consumer name -> its queue
    dead_letter_urls: dict[str, str] = field(default_factory=dict)  # consumer name -> its dead-letter queue
    state_machine_arns: dict[str, str] = field(default_factory=dict)  # workflow name -> ARN


def stream_names(prefix: str) -> dict[str, str]:
    return {stream: f"{prefix}-{stream}" for stream in STREAMS}


def provision(
    prefix: str = "agentgate",
    region: str = "us-east-1",
    endpoint_url: str | None = None,
    *,
    consumers: Iterable[StreamConsumer] = CONSUMERS,
    queue_consumers: Iterable[QueueConsumer] = QUEUE_CONSUMERS,
    workflows: Iterable[Workflow] = WORKFLOWS,
    root: Path = REPO_ROOT,
) -> Provisioned:
    """Create every resource; the tables are arguments so tests can provision fixture rows."""
    session: Any = boto3.session.Session(region_name=region)

    def aws(service: str) -> Any:
        return session.client(service, endpoint_url=endpoint_url)

    out = Provisioned()
    table_name = prefix
    create_table(aws("dynamodb"), table_name)
    out.env[env_name("table_name")] = table_name

    kinesis = aws("kinesis")
    existing = set(kinesis.list_streams().get("StreamNames", []))
    for stream, name in stream_names(prefix).items():
        if name not in existing:
            kinesis.create_stream(StreamName=name, ShardCount=STREAMS[stream])
        out.env[env_name(f"{stream}_stream")] = name

    kms = aws("kms")
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases().get("Aliases", [])}
    if TOKEN_SIGNING_KEY_ALIAS not in aliases:
        key = kms.create_key(
            KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY", Description="AgentGate token signing"
        )
        kms.create_alias(AliasName=TOKEN_SIGNING_KEY_ALIAS, TargetKeyId=key["KeyMetadata"]["KeyId"])
    out.env[env_name("signing_key_alias")] = TOKEN_SIGNING_KEY_ALIAS
    if KEY_ENCRYPTION_KEY_ALIAS not in aliases:  # seals the envelope signing keys
        key = kms.create_key(
            KeySpec="SYMMETRIC_DEFAULT",
            KeyUsage="ENCRYPT_DECRYPT",
            Description="AgentGate token key encryption",
        )
        kms.create_alias(AliasName=KEY_ENCRYPTION_KEY_ALIAS, TargetKeyId=key["KeyMetadata"]["KeyId"])
    out.env[env_name("key_encryption_key_alias")] = KEY_ENCRYPTION_KEY_ALIAS
    out.env.update(_provision_user_pool(aws("cognito-idp"), prefix))
    out.env.update(_provision_usage_plans(aws("apigateway"), prefix))
    # moto's tokens name the real AWS issuer even behind its server; the keys are where moto serves them.
    jwks_base = endpoint_url.rstrip("/") if endpoint_url else f"https://cognito-idp.{region}.amazonaws.com"
    out.env[env_name("cognito_jwks_url")] = (
        f"{jwks_base}/{out.env[env_name('user_pool_id')]}/.well-known/jwks.json"
    )
    _provision_queues(aws("sqs"), prefix, list(consumers), list(queue_consumers), out)
    _provision_state_machines(aws("stepfunctions"), prefix, region, list(workflows), root, out)
    return out


def _provision_user_pool(cognito: Any, prefix: str) -> dict[str, str]:
    """The portal users' pool and its app client (USER_PASSWORD_AUTH and refresh), as CDK declares them.

    Locally only the length (12) is enforced; CDK's pool also requires upper and lower case, a digit
    and a symbol, which the identity tests and the demo password satisfy.
    """
    pools = cognito.list_user_pools(MaxResults=60).get("UserPools", [])
    pool_id = next((p["Id"] for p in pools if p["Name"] == f"{prefix}-users"), None)
    if pool_id is None:
        pool_id = cognito.create_user_pool(
            PoolName=f"{prefix}-users",
            Policies={
                "PasswordPolicy": {
                    "MinimumLength": 12,
                    "RequireUppercase": False,
                    "RequireLowercase": False,
                    "RequireNumbers": False,
                    "RequireSymbols": False,
                }
            },
            AutoVerifiedAttributes=["email"],
            UsernameAttributes=["email"],  # CDK's sign-in alias: people sign in with their email
        )["UserPool"]["Id"]
    clients = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60).get("UserPoolClients", [])
    client_id = next((c["ClientId"] for c in clients if c["ClientName"] == f"{prefix}-portal"), None)
    if client_id is None:
        client_id = cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=f"{prefix}-portal",
            GenerateSecret=False,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
    return settings_env(user_pool_id=pool_id, user_pool_client_id=client_id)


def _provision_usage_plans(apigateway: Any, prefix: str) -> dict[str, str]:
    """The REST API and one usage plan per tier (throttle and daily quota from the tier table)."""
    apis = apigateway.get_rest_apis(limit=500).get("items", [])
    api_id = next((a["id"] for a in apis if a["name"] == prefix), None)
    if api_id is None:
        api_id = apigateway.create_rest_api(name=prefix, apiKeySource="AUTHORIZER")["id"]
    plans = {p["name"]: p["id"] for p in apigateway.get_usage_plans(limit=500).get("items", [])}
    ids: dict[str, str] = {}
    for tier_name in TIER_ORDER:
        tier = TIERS[tier_name]
        plan_name = f"{prefix}-{tier_name}"
        if plan_name not in plans:
            plans[plan_name] = apigateway.create_usage_plan(
                name=plan_name,
                throttle={"rateLimit": float(tier.rate_per_second), "burstLimit": tier.burst},
                quota={"limit": tier.daily_quota, "period": "DAY"},
            )["id"]
        ids[tier_name] = plans[plan_name]
    return settings_env(rest_api_id=api_id, usage_plan_ids=ids)


def _queue(sqs: Any, name: str, attributes: dict[str, str]) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _provision_queues(
    sqs: Any,
    prefix: str,
    consumers: list[StreamConsumer],
    queue_consumers: list[QueueConsumer],
    out: Provisioned,
) -> None:
    """Each queue consumer's queue with a redrive policy to its dead-letter queue; the stream
    consumers' on-failure queue (``DEAD_LETTER_QUEUE_URL``), where batches they give up on go."""
    keep_14_days = {"MessageRetentionPeriod": "1209600"}
    failures_url, _ = _queue(sqs, f"{prefix}-stream-failures", keep_14_days)
    out.env[env_name("dead_letter_queue_url")] = failures_url
    # Records the runs and analytics consumers cannot process, each with its reason (replayable).
    runs_dlq_url, _ = _queue(sqs, f"{prefix}-runs-dlq", keep_14_days)
    out.env[env_name("runs_dead_letter_queue_url")] = runs_dlq_url
    for consumer in consumers:
        out.dead_letter_urls[consumer.name] = failures_url
    for queue in queue_consumers:
        dlq_url, dlq_arn = _queue(sqs, f"{prefix}-{queue.name}-dlq", keep_14_days)
        redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(queue.max_receive_count)}
        attributes = {
            "VisibilityTimeout": str(queue.visibility_timeout_seconds),
            "RedrivePolicy": json.dumps(redrive),
        }
        url, _ = _queue(sqs, f"{prefix}-{queue.name}", attributes)
        out.queue_urls[queue.name] = url
        out.dead_letter_urls[queue.name] = dlq_url
        out.env[env_name(queue.url_setting)] = url


def _provision_state_machines(
    sfn: Any, prefix: str, region: str, workflows: list[Workflow], root: Path, out: Provisioned
) -> None:
    from infra.local.statemachines import create_state_machines

    out.state_machine_arns = create_state_machines(sfn, workflows, root=root, prefix=prefix, region=region)
    for workflow in workflows:
        if workflow.arn_setting:
            out.env[env_name(workflow.arn_setting)] = out.state_machine_arns[workflow.name]

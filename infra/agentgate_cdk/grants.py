"""The routes table's grants turned into least-privilege IAM statements and environment variables.

A grant (``agentgate.routes.GRANTS``) names what a function needs; ``access_for`` answers the IAM
statements on the exact resources and the settings (``agentgate.platform.settings``) that tell
the function where those resources are, as environment variables named after the settings
attribute upper-cased. Nothing else hands out permissions, so a read route cannot write.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs

from agentgate import routes
from agentgate.platform.settings import env_name
from agentgate.platform.table import INDEXES
from infra.agentgate_cdk.tables import Tables

Resource = TypeVar("Resource")

TABLE_READ_ACTIONS = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query")
TABLE_WRITE_ACTIONS = (
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
)
STREAM_PUT_ACTIONS = ("kinesis:PutRecord", "kinesis:PutRecords")
# The calls the identity code makes on the user pool (sign-up, login, refresh, logout, members).
COGNITO_ACTIONS = (
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminSetUserPassword",
    "cognito-idp:AdminGetUser",
    "cognito-idp:AdminInitiateAuth",
    "cognito-idp:AdminUpdateUserAttributes",
    "cognito-idp:AdminDeleteUser",
    "cognito-idp:AdminDisableUser",
    "cognito-idp:AdminEnableUser",
    "cognito-idp:AdminUserGlobalSignOut",
    "cognito-idp:ListUsers",
)


@dataclass
class Wiring:
    """The deployment's resources a function may be granted access to."""

    table: dynamodb.ITable
    streams: dict[str, kinesis.IStream]  # by STREAMS key: "runs", "analytics"
    signing_key: kms.IKey
    signing_key_alias: str
    user_pool: cognito.IUserPool
    user_pool_client: cognito.IUserPoolClient
    queues: dict[str, sqs.IQueue]  # queue consumer name -> its queue
    queue_url_settings: dict[str, str]  # queue consumer name -> settings attribute of its URL
    dead_letter_queue: sqs.IQueue  # where stream consumers' failed batches go
    state_machines: dict[str, str] = field(default_factory=dict)  # workflow name -> ARN
    state_machine_settings: dict[str, str] = field(default_factory=dict)  # workflow name -> arn setting
    rest_api_id: str | None = None
    usage_plan_ids: str | None = None  # "free=<id>,pro=<id>,enterprise=<id>"
    stripe_secret: secretsmanager.ISecret | None = None
    stripe_env: dict[str, str] = field(default_factory=dict)  # price ids and meter names
    base_env: dict[str, str] = field(default_factory=dict)  # every function gets these
    key_encryption_key: kms.IKey | None = None  # seals the envelope signing keys
    key_encryption_key_alias: str = ""
    api_stage: str = "v1"  # whose authorizer cache a pause flushes


@dataclass
class Access:
    statements: list[iam.PolicyStatement] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    # cdk-nag findings these statements cause by design: (finding id, reason)
    wildcards: list[tuple[str, str]] = field(default_factory=list)


def standalone_queues(tables: Tables) -> dict[str, str]:
    """Queues granted (``queue:<name>``) that no queue consumer drains -> their URL setting.

    These hold what a function sets aside for an operator (e.g. poison records, replayable);
    the URL goes to ``<NAME>_QUEUE_URL``.
    """
    drained = {q.name: q.url_setting for q in tables.queue_consumers}
    found = {}
    for grant in sorted(tables.grants()):
        if grant.startswith("queue:") and not _matching("queue", grant, drained, drained):
            name = grant.split(":", 1)[1]
            found[name] = f"{name.replace('-', '_')}_queue_url"
    return found


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") else word


def _matching(kind: str, grant: str, names: Iterable[str], settings: dict[str, str]) -> list[str]:
    """Resources a ``<kind>:<name>`` grant refers to: by name, singular or plural, or by its setting."""
    wanted = _singular(grant.split(":", 1)[1].replace("-", "_"))
    found = [
        name
        for name in names
        if _singular(name.replace("-", "_")) == wanted or settings.get(name, "").startswith(f"{wanted}_")
    ]
    return found


def _named(
    grant: str, resources: Mapping[str, Resource], settings: Mapping[str, str], table: str
) -> list[tuple[Resource, str]]:
    """Each resource a ``<kind>:<name>`` grant names, with its setting ("" for none); naming none is
    a wiring error that names the ``table`` the grant should match a row of."""
    names = _matching(grant.split(":", 1)[0], grant, resources, dict(settings))
    if not names:
        raise ValueError(f"grant {grant!r} names no {table}")
    return [(resources[name], settings.get(name, "")) for name in names]


def _signing_keys(actions: list[str], access: Access, wiring: Wiring) -> None:
    """The signing key and the keys a rotation creates (``agentgate.auth.rotation``), by their tag."""
    from agentgate.auth.rotation import SIGNING_KEY_TAG, SIGNING_KEY_TAG_VALUE

    access.statements.append(
        iam.PolicyStatement(
            actions=actions,
            resources=[f"arn:{cdk.Aws.PARTITION}:kms:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}:key/*"],
            conditions={"StringEquals": {f"aws:ResourceTag/{SIGNING_KEY_TAG}": SIGNING_KEY_TAG_VALUE}},
        )
    )
    finding = "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*]"
    if finding not in {f for f, _ in access.wildcards}:
        access.wildcards.append(
            (finding, "Only keys tagged as token-signing keys: rotation creates new keys after deploy.")
        )
    access.env[env_name("signing_key_alias")] = wiring.signing_key_alias


# The envelope keys' encryption context key: only requests naming a kid may use the key-encryption key.
_KID_CONTEXT = {"Null": {"kms:EncryptionContext:agentgate:signing-kid": "false"}}


def _key_encryption_key(actions: list[str], access: Access, wiring: Wiring) -> None:
    """The KMS key that seals envelope signing keys (``agentgate.auth.envelope``), for ``actions``."""
    if wiring.key_encryption_key is None:
        raise ValueError("the envelope signing grants need the key-encryption key")
    access.statements.append(
        iam.PolicyStatement(
            actions=actions, resources=[wiring.key_encryption_key.key_arn], conditions=_KID_CONTEXT
        )
    )
    access.env["KEY_ENCRYPTION_KEY_ALIAS"] = wiring.key_encryption_key_alias


def _rotation(access: Access, wiring: Wiring) -> None:
    """What ``agentgate.auth.rotation`` calls in either signing mode."""
    from agentgate.auth.rotation import SIGNING_KEY_TAG, SIGNING_KEY_TAG_VALUE

    _key_encryption_key(["kms:GenerateDataKey"], access, wiring)
    _signing_keys(
        ["kms:GetPublicKey", "kms:DescribeKey", "kms:ScheduleKeyDeletion", "kms:UpdateAlias"], access, wiring
    )
    region, account, partition = cdk.Aws.REGION, cdk.Aws.ACCOUNT_ID, cdk.Aws.PARTITION
    alias_name = wiring.signing_key_alias.removeprefix("alias/")
    access.statements += [
        # kms:CreateKey has no key to name yet: only a key tagged as a token-signing key may be made.
        iam.PolicyStatement(
            actions=["kms:CreateKey", "kms:TagResource"],
            resources=["*"],
            conditions={"StringEquals": {f"aws:RequestTag/{SIGNING_KEY_TAG}": SIGNING_KEY_TAG_VALUE}},
        ),
        iam.PolicyStatement(
            actions=["kms:UpdateAlias"],
            resources=[f"arn:{partition}:kms:{region}:{account}:alias/{alias_name}"],
        ),
    ]
    access.wildcards.append(
        (
            "AwsSolutions-IAM5[Resource::*]",
            "kms:CreateKey names no key; it is limited to keys tagged as token-signing keys (KMS mode).",
        )
    )


def _authorizer_cache_flush(access: Access, wiring: Wiring) -> None:
    """``FlushStageAuthorizersCache`` on this API's stage only (``agentgate.platform.gateway_cache``)."""
    if wiring.rest_api_id is None:
        raise ValueError(f"grant {routes.AUTHORIZER_CACHE_FLUSH!r} needs the REST API")
    apigw = f"arn:{cdk.Aws.PARTITION}:apigateway:{cdk.Aws.REGION}::"
    stage = f"/restapis/{wiring.rest_api_id}/stages/{wiring.api_stage}"
    access.statements.append(
        iam.PolicyStatement(actions=["apigateway:DELETE"], resources=[f"{apigw}{stage}/cache/authorizers"])
    )
    access.env["REST_API_ID"] = wiring.rest_api_id
    access.env["API_STAGE"] = wiring.api_stage


def _table_arns(table: dynamodb.ITable) -> list[str]:
    return [table.table_arn, *(f"{table.table_arn}/index/{index}" for index in INDEXES)]


def _stream_for(grant: str, wiring: Wiring) -> str:
    stream = grant.split(":", 1)[1]
    if stream not in wiring.streams:
        raise ValueError(f"grant {grant!r} names no stream of agentgate.consumers.STREAMS")
    return stream


def _api_keys(wiring: Wiring, access: Access) -> None:
    if wiring.rest_api_id is None or wiring.usage_plan_ids is None:
        raise ValueError(f"grant {routes.API_KEYS!r} needs the REST API and its usage plans")
    region, partition = cdk.Aws.REGION, cdk.Aws.PARTITION
    apigw = f"arn:{partition}:apigateway:{region}::"
    access.statements += [
        iam.PolicyStatement(actions=["apigateway:POST"], resources=[f"{apigw}/apikeys"]),
        iam.PolicyStatement(
            actions=["apigateway:GET", "apigateway:PATCH", "apigateway:DELETE"],
            resources=[f"{apigw}/apikeys/*"],
        ),
        iam.PolicyStatement(
            actions=["apigateway:GET", "apigateway:POST", "apigateway:DELETE"],
            resources=[f"{apigw}/usageplans/*/keys", f"{apigw}/usageplans/*/keys/*"],
        ),
    ]
    for path, reason in (
        ("/apikeys/*", "The key ids are created at sign-up: a tenant's key is not known at deploy time."),
        (
            "/usageplans/*/keys",
            "Attaching a key to its tier's plan; plan ids reach IAM only through USAGE_PLAN_IDS.",
        ),
        ("/usageplans/*/keys/*", "Moving a tenant's key between tier plans when the tier changes."),
    ):
        access.wildcards.append(
            (f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:apigateway:<AWS::Region>::{path}]", reason)
        )
    access.env[env_name("rest_api_id")] = wiring.rest_api_id
    access.env[env_name("usage_plan_ids")] = wiring.usage_plan_ids


def _health_probes(wiring: Wiring, access: Access) -> None:
    """The describe calls of ``/health/detailed`` (agentgate.services.health.PROBES)."""
    runs = wiring.streams.get("runs")
    access.statements.append(
        iam.PolicyStatement(actions=["dynamodb:DescribeTable"], resources=[wiring.table.table_arn])
    )
    access.env[env_name("table_name")] = wiring.table.table_name
    if runs is not None:
        access.statements.append(
            iam.PolicyStatement(actions=["kinesis:DescribeStreamSummary"], resources=[runs.stream_arn])
        )
        access.env[env_name("runs_stream")] = runs.stream_name
    _signing_keys(["kms:DescribeKey"], access, wiring)
    approval = _matching("states", "states:approvals", wiring.state_machines, wiring.state_machine_settings)
    if approval:
        arn = wiring.state_machines[approval[0]]
        access.statements.append(
            iam.PolicyStatement(actions=["states:DescribeStateMachine"], resources=[arn])
        )
        access.env[env_name(wiring.state_machine_settings[approval[0]])] = arn
    else:
        # Without an approval workflow the probe lists state machines, which has no resource type.
        access.statements.append(iam.PolicyStatement(actions=["states:ListStateMachines"], resources=["*"]))
        access.wildcards.append(
            ("AwsSolutions-IAM5[Resource::*]", "states:ListStateMachines has no resource-level permissions.")
        )


def access_for(grants: Iterable[str], wiring: Wiring) -> Access:
    access = Access(env=dict(wiring.base_env))
    for grant in sorted(set(grants)):
        if grant not in routes.GRANTS and not grant.startswith(("queue:", "stream:", "states:")):
            raise ValueError(f"unknown grant {grant!r}; known: {sorted(routes.GRANTS)}")
        if grant == routes.TABLE_READ:
            access.statements.append(
                iam.PolicyStatement(actions=list(TABLE_READ_ACTIONS), resources=_table_arns(wiring.table))
            )
            access.env[env_name("table_name")] = wiring.table.table_name
        elif grant == routes.TABLE_WRITE:
            access.statements.append(
                iam.PolicyStatement(actions=list(TABLE_WRITE_ACTIONS), resources=[wiring.table.table_arn])
            )
            access.env[env_name("table_name")] = wiring.table.table_name
        elif grant.startswith("stream:"):
            stream = wiring.streams[_stream_for(grant, wiring)]
            access.statements.append(
                iam.PolicyStatement(actions=list(STREAM_PUT_ACTIONS), resources=[stream.stream_arn])
            )
            access.env[env_name(f"{grant.split(':', 1)[1]}_stream")] = stream.stream_name
        elif grant == routes.KMS_SIGN:
            _signing_keys(["kms:Sign", "kms:GetPublicKey", "kms:DescribeKey"], access, wiring)
        elif grant == routes.KMS_PUBLIC_KEY:
            _signing_keys(["kms:GetPublicKey", "kms:DescribeKey"], access, wiring)
        elif grant == routes.COGNITO:
            pool = wiring.user_pool
            access.statements.append(
                iam.PolicyStatement(actions=list(COGNITO_ACTIONS), resources=[pool.user_pool_arn])
            )
            access.env[env_name("user_pool_id")] = pool.user_pool_id
            access.env[env_name("user_pool_client_id")] = wiring.user_pool_client.user_pool_client_id
            access.env[env_name("cognito_jwks_url")] = (
                f"https://cognito-idp.{cdk.Aws.REGION}.{cdk.Aws.URL_SUFFIX}/{pool.user_pool_id}"
                "/.well-known/jwks.json"
            )
        elif grant.startswith("states:"):
            machines = wiring.state_machines, wiring.state_machine_settings
            for arn, setting in _named(grant, *machines, "workflow of agentgate.workflows.WORKFLOWS"):
                access.statements.append(
                    iam.PolicyStatement(
                        actions=["states:StartExecution", "states:SendTaskSuccess", "states:SendTaskFailure"],
                        resources=[arn],
                    )
                )
                if setting:
                    access.env[env_name(setting)] = arn
        elif grant.startswith("queue:"):
            queues = wiring.queues, wiring.queue_url_settings
            for queue, setting in _named(grant, *queues, "queue of agentgate.consumers.QUEUE_CONSUMERS"):
                access.statements.append(
                    iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[queue.queue_arn])
                )
                access.env[env_name(setting)] = queue.queue_url
        elif grant == routes.SIGNING_KEY_OPEN:
            _key_encryption_key(["kms:Decrypt"], access, wiring)
        elif grant == routes.SIGNING_KEY_ROTATE:
            _rotation(access, wiring)
        elif grant == routes.AUTHORIZER_CACHE_FLUSH:
            _authorizer_cache_flush(access, wiring)
        elif grant == routes.API_KEYS:
            _api_keys(wiring, access)
        elif grant == routes.HEALTH_PROBES:
            _health_probes(wiring, access)
        elif grant == routes.STRIPE:
            if wiring.stripe_secret is None:
                raise ValueError(f"grant {routes.STRIPE!r} needs the Stripe secret")
            access.statements.append(
                iam.PolicyStatement(
                    actions=["secretsmanager:GetSecretValue"], resources=[wiring.stripe_secret.secret_arn]
                )
            )
            access.env["STRIPE_SECRET_ARN"] = wiring.stripe_secret.secret_arn
            access.env.update(wiring.stripe_env)
        else:  # a grant added to routes.GRANTS without its IAM meaning here
            raise ValueError(f"grant {grant!r} has no IAM mapping in infra/agentgate_cdk/grants.py")
    return access

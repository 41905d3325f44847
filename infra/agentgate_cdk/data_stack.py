"""The stateful resources: table, streams, signing key, user pool, queues, and the alarm topic."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from agentgate.auth.rotation import SIGNING_KEY_TAG, SIGNING_KEY_TAG_VALUE
from agentgate.platform.table import TTL_ATTRIBUTE, table_definition
from infra.agentgate_cdk.alarms import ITERATOR_AGE_THRESHOLD_MS, alarm, dead_letter_alarm
from infra.agentgate_cdk.config import DeployConfig
from infra.agentgate_cdk.grants import standalone_queues
from infra.agentgate_cdk.nag import acknowledge
from infra.agentgate_cdk.tables import Tables

DEAD_LETTER_RETENTION = cdk.Duration.days(14)
_KEY_TYPES = {"HASH": "partition", "RANGE": "sort"}


def _key_attributes(key_schema: list[dict[str, str]]) -> dict[str, dynamodb.Attribute]:
    """``KeySchema`` -> {"partition_key": Attribute, "sort_key": Attribute} (every key is a string)."""
    return {
        f"{_KEY_TYPES[key['KeyType']]}_key": dynamodb.Attribute(
            name=key["AttributeName"], type=dynamodb.AttributeType.STRING
        )
        for key in key_schema
    }


class DataStack(cdk.Stack):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: DeployConfig, tables: Tables, **kwargs: object
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.config = config
        self.table = self._table()
        self.streams = {
            name: kinesis.Stream(
                self,
                f"{name.title()}Stream",
                shard_count=shards,
                stream_mode=kinesis.StreamMode.PROVISIONED,
                encryption=kinesis.StreamEncryption.MANAGED,
                retention_period=cdk.Duration.hours(24),
            )
            for name, shards in tables.streams.items()
        }
        self.signing_key = kms.Key(
            self,
            "TokenSigningKey",
            key_spec=kms.KeySpec.ECC_NIST_P256,
            key_usage=kms.KeyUsage.SIGN_VERIFY,
            alias=config.signing_key_alias,
            description="AgentGate access token signing (ES256)",
            removal_policy=config.removal_policy,
        )
        # Functions may sign with the keys carrying this tag: this one and those a rotation creates.
        cdk.Tags.of(self.signing_key).add(SIGNING_KEY_TAG, SIGNING_KEY_TAG_VALUE)
        # Seals the envelope signing keys (agentgate.auth.envelope): the rotation job asks it for
        # data keys, the token function opens them; with the kid as encryption context.
        self.key_encryption_key = kms.Key(
            self,
            "TokenKeyEncryptionKey",
            enable_key_rotation=True,
            alias=config.key_encryption_key_alias,
            description="AgentGate token-signing key encryption (envelope signing)",
            removal_policy=config.removal_policy,
        )
        self.user_pool, self.user_pool_client = self._user_pool()
        self.alarm_topic = self._alarm_topic()
        self.dead_letter_queue = self._stream_failures_queue()
        self.stripe_secret = self._stripe_secret()
        self.queues: dict[str, sqs.Queue] = {}
        self.queue_url_settings: dict[str, str] = {}
        for consumer in tables.queue_consumers:
            dlq = self._parked_queue(
                f"{_camel(consumer.name)}DeadLetterQueue",
                f"{_camel(consumer.name)}DeadLetterAlarm",
                f"queue {consumer.name}",
            )
            self.queues[consumer.name] = sqs.Queue(
                self,
                f"{_camel(consumer.name)}Queue",
                visibility_timeout=cdk.Duration.seconds(consumer.visibility_timeout_seconds),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                dead_letter_queue=sqs.DeadLetterQueue(
                    max_receive_count=consumer.max_receive_count, queue=dlq
                ),
            )
            self.queue_url_settings[consumer.name] = consumer.url_setting
        for name, setting in standalone_queues(tables).items():
            queue = self._parked_queue(
                f"{_camel(name)}Queue",
                f"{_camel(name)}Alarm",
                f"queue {name}",
                no_dead_letter_queue=(
                    "Functions set records aside here for an operator to inspect and replay; "
                    "nothing drains it."
                ),
            )
            self.queues[name] = queue
            self.queue_url_settings[name] = setting
        for name, stream in self.streams.items():
            alarm(
                self,
                f"{name.title()}StreamIteratorAgeAlarm",
                metric=stream.metric_get_records_iterator_age_milliseconds(
                    period=cdk.Duration.minutes(5), statistic=cloudwatch.Stats.MAXIMUM
                ),
                threshold=ITERATOR_AGE_THRESHOLD_MS,
                description=f"The {name} stream's consumers are more than 5 minutes behind.",
                topic=self.alarm_topic,
            )

    def _table(self) -> dynamodb.Table:
        definition = table_definition("agentgate")
        table = dynamodb.Table(
            self,
            "Table",
            **_key_attributes(definition["KeySchema"]),  # type: ignore[arg-type]
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            time_to_live_attribute=TTL_ATTRIBUTE,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            deletion_protection=self.config.retain_data,
            removal_policy=self.config.removal_policy,
        )
        for index in definition["GlobalSecondaryIndexes"]:
            if index["Projection"]["ProjectionType"] != "ALL":
                raise ValueError(f"index {index['IndexName']}: only ALL projections are mirrored here")
            table.add_global_secondary_index(
                index_name=index["IndexName"],
                projection_type=dynamodb.ProjectionType.ALL,
                **_key_attributes(index["KeySchema"]),  # type: ignore[arg-type]
            )
        return table

    def _user_pool(self) -> tuple[cognito.UserPool, cognito.UserPoolClient]:
        pool = cognito.UserPool(
            self,
            "UserPool",
            self_sign_up_enabled=False,  # sign-up goes through POST /api/v1/auth/signup
            sign_in_aliases=cognito.SignInAliases(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
            ),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            feature_plan=cognito.FeaturePlan.ESSENTIALS,
            deletion_protection=self.config.retain_data,
            removal_policy=self.config.removal_policy,
        )
        acknowledge(
            pool,
            "AwsSolutions-COG2",
            "MFA is optional (TOTP): portal users and the CLI sign in with a password through the API.",
        )
        acknowledge(
            pool,
            "AwsSolutions-COG8",
            "The Plus feature plan's threat protection is a per-user cost left to each deployment.",
        )
        client = pool.add_client(
            "PortalClient",
            auth_flows=cognito.AuthFlow(user_password=True, admin_user_password=True),
            generate_secret=False,
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            access_token_validity=cdk.Duration.hours(1),
            id_token_validity=cdk.Duration.hours(1),
            refresh_token_validity=cdk.Duration.days(30),
        )
        return pool, client

    def _alarm_topic(self) -> sns.Topic:
        # CloudWatch cannot publish to a topic under the AWS managed SNS key: a key of our own.
        key = kms.Key(
            self,
            "AlarmTopicKey",
            enable_key_rotation=True,
            description="AgentGate alarm topic encryption",
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        key.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                resources=["*"],
            )
        )
        topic = sns.Topic(
            self, "AlarmTopic", master_key=key, enforce_ssl=True, display_name="AgentGate alarms"
        )
        if self.config.alarm_email:
            topic.add_subscription(subscriptions.EmailSubscription(self.config.alarm_email))
        return topic

    def _stripe_secret(self) -> secretsmanager.ISecret:
        """Stripe's API key and webhook signing secret: an operator puts them after the first deploy.

        ``aws secretsmanager put-secret-value --secret-id <StripeSecretArn> --secret-string
        '{"api_key": "sk_live_...", "webhook_secret": "whsec_..."}'``; until then billing answers 503.
        """
        if self.config.stripe_secret_arn:
            return secretsmanager.Secret.from_secret_complete_arn(
                self, "StripeSecret", self.config.stripe_secret_arn
            )
        secret = secretsmanager.Secret(
            self,
            "StripeSecret",
            description='AgentGate Stripe keys: {"api_key": "sk_...", "webhook_secret": "whsec_..."}',
            # Generated at deploy time, so the template holds no value; billing reads empty keys as off.
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template='{"api_key": "", "webhook_secret": ""}',
                generate_string_key="placeholder",
            ),
            removal_policy=self.config.removal_policy,
        )
        acknowledge(
            secret,
            "AwsSolutions-SMG4",
            "Stripe's keys are rolled in Stripe's dashboard; Secrets Manager cannot rotate them.",
        )
        cdk.CfnOutput(self, "StripeSecretArn", value=secret.secret_arn)
        return secret

    def _stream_failures_queue(self) -> sqs.Queue:
        """Where the stream consumers' event sources send batches they give up on."""
        return self._parked_queue(
            "StreamFailuresQueue",
            "StreamFailuresAlarm",
            "stream consumers",
            no_dead_letter_queue=(
                "It is a dead-letter queue: the on-failure destination of the Kinesis event sources."
            ),
        )

    def _parked_queue(
        self, construct_id: str, alarm_id: str, what: str, *, no_dead_letter_queue: str | None = None
    ) -> sqs.Queue:
        """A queue where what failed waits for an operator (kept 14 days, encrypted, TLS only), with
        the alarm that tells of anything in it. ``no_dead_letter_queue``: why it needs none of its own."""
        queue = sqs.Queue(
            self,
            construct_id,
            retention_period=DEAD_LETTER_RETENTION,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        if no_dead_letter_queue is not None:
            acknowledge(queue, "AwsSolutions-SQS3", no_dead_letter_queue)
        dead_letter_alarm(self, alarm_id, queue, what, self.alarm_topic)
        return queue


def _camel(name: str) -> str:
    return "".join(part.title() for part in name.replace("-", "_").split("_"))

"""Deployment configuration: CDK context values with defaults that synthesize offline.

Every value can be set with ``-c name=value`` on the CDK command line or in ``cdk.json``'s
``context``. Nothing here needs an AWS account: stacks are environment-agnostic unless
``CDK_DEFAULT_ACCOUNT``/``CDK_DEFAULT_REGION`` are set (the CDK CLI sets them from the profile).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from constructs import Node

from agentgate.platform.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STAGE = "prod"
API_STAGE_NAME = "v1"  # the API Gateway stage; the local gateway's events name the same one
_STAGE_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,15}$")
SIGNING_MODES = frozenset({"envelope", "kms"})


@dataclass(frozen=True)
class DeployConfig:
    stage: str = DEFAULT_STAGE
    token_issuer: str = ""  # empty: the CloudFront URL that serves the portal and the API
    token_audience: str = Settings.token_audience
    access_token_ttl_seconds: int = Settings.access_token_ttl_seconds
    authorizer_cache_ttl_seconds: int = Settings.authorizer_cache_ttl_seconds
    alarm_email: str = ""
    log_retention_days: int = 30
    function_memory_mb: int = 512
    retain_data: bool = True  # the table, user pool and signing key outlive a `cdk destroy`
    portal_dir: Path = REPO_ROOT / "portal" / "dist"  # `make portal` builds it
    # Billing: Stripe's keys live in Secrets Manager (never in the template), the rest is plain.
    stripe_secret_arn: str = ""  # an existing secret; empty: the data stack creates an empty one
    stripe_price_ids: str = ""  # "pro=price_...,enterprise=price_..."
    stripe_meter_api_calls: str = ""  # meter event names; empty: that usage is not reported
    stripe_meter_runs: str = ""
    signing_mode: str = Settings.signing_mode  # "envelope" (in process) or "kms" (one KMS Sign per token)
    signing_key_rotation_days: int = Settings.signing_key_rotation_days

    def __post_init__(self) -> None:
        if not _STAGE_PATTERN.match(self.stage):
            raise ValueError(f"stage must match {_STAGE_PATTERN.pattern}, got {self.stage!r}")
        if self.signing_key_rotation_days < 1:
            raise ValueError(
                f"signingKeyRotationDays must be at least 1, got {self.signing_key_rotation_days}"
            )
        if self.signing_mode not in SIGNING_MODES:
            raise ValueError(f"signingMode must be one of {sorted(SIGNING_MODES)}, got {self.signing_mode!r}")

    @property
    def prefix(self) -> str:
        """Physical-name prefix: function and state machine names, the signing key alias."""
        return f"agentgate-{self.stage}"

    @property
    def stack_prefix(self) -> str:
        return "AgentGate" if self.stage == DEFAULT_STAGE else f"AgentGate-{self.stage}"

    @property
    def signing_key_alias(self) -> str:
        if self.stage == DEFAULT_STAGE:
            return Settings.signing_key_alias
        return f"alias/{self.prefix}-token-signing"

    @property
    def key_encryption_key_alias(self) -> str:
        if self.stage == DEFAULT_STAGE:
            return Settings.key_encryption_key_alias
        return f"alias/{self.prefix}-token-key-encryption"

    @property
    def removal_policy(self) -> cdk.RemovalPolicy:
        return cdk.RemovalPolicy.RETAIN if self.retain_data else cdk.RemovalPolicy.DESTROY

    @classmethod
    def from_context(cls, node: Node) -> DeployConfig:
        def ctx(name: str, default: Any) -> Any:
            value = node.try_get_context(name)
            return default if value is None or value == "" else value

        portal = ctx("portalDir", "")
        return cls(
            stage=str(ctx("stage", DEFAULT_STAGE)),
            token_issuer=str(ctx("tokenIssuer", "")),
            token_audience=str(ctx("tokenAudience", Settings.token_audience)),
            access_token_ttl_seconds=int(ctx("accessTokenTtlSeconds", Settings.access_token_ttl_seconds)),
            authorizer_cache_ttl_seconds=int(
                ctx("authorizerCacheTtlSeconds", Settings.authorizer_cache_ttl_seconds)
            ),
            alarm_email=str(ctx("alarmEmail", "")),
            log_retention_days=int(ctx("logRetentionDays", 30)),
            function_memory_mb=int(ctx("functionMemoryMb", 512)),
            retain_data=str(ctx("retainData", "true")).lower() != "false",
            portal_dir=Path(portal) if portal else REPO_ROOT / "portal" / "dist",
            stripe_secret_arn=str(ctx("stripeSecretArn", "")),
            stripe_price_ids=str(ctx("stripePriceIds", "")),
            stripe_meter_api_calls=str(ctx("stripeMeterApiCalls", "")),
            stripe_meter_runs=str(ctx("stripeMeterRuns", "")),
            signing_mode=str(ctx("signingMode", Settings.signing_mode)).lower(),
            signing_key_rotation_days=int(ctx("signingKeyRotationDays", Settings.signing_key_rotation_days)),
        )


def environment() -> cdk.Environment | None:
    """The account and region the CLI resolved, or None for environment-agnostic stacks."""
    account, region = os.environ.get("CDK_DEFAULT_ACCOUNT"), os.environ.get("CDK_DEFAULT_REGION")
    if account and region:
        return cdk.Environment(account=account, region=region)
    return None

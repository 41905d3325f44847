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

    def __post_init__(self) -> None:
        if not _STAGE_PATTERN.match(self.stage):
            raise ValueError(f"stage must match {_STAGE_PATTERN.pattern}, got {self.stage!r}")

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
        )


def environment() -> cdk.Environment | None:
    """The account and region the CLI resolved, or None for environment-agnostic stacks."""
    account, region = os.environ.get("CDK_DEFAULT_ACCOUNT"), os.environ.get("CDK_DEFAULT_REGION")
    if account and region:
        return cdk.Environment(account=account, region=region)
    return None

"""Settings read from the environment, once per warm container.

Every name has a default that suits the local stack, so importing and testing any
module needs no environment set up; CDK sets the real values on each function.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


@dataclass(frozen=True)
class Settings:
    stage: str = "local"
    region: str = "us-east-1"
    table_name: str = "agentgate"
    runs_stream: str = "agentgate-runs"
    analytics_stream: str = "agentgate-analytics"
    signing_key_alias: str = "alias/agentgate-token-signing"
    issuer: str = "http://127.0.0.1:8000"
    token_audience: str = "agentgate"
    access_token_ttl_seconds: int = 900
    user_pool_id: str = ""
    user_pool_client_id: str = ""
    cognito_jwks_url: str = ""
    approval_state_machine_arn: str = ""
    webhook_queue_url: str = ""
    dead_letter_queue_url: str = ""
    runs_dead_letter_queue_url: str = ""
    rest_api_id: str = ""
    usage_plan_ids: dict[str, str] = field(default_factory=dict)
    authorizer_cache_ttl_seconds: int = 60
    allow_loopback_webhooks: bool = False
    stripe_api_key: str = ""
    stripe_webhook_secret: str = ""
    portal_url: str = "http://127.0.0.1:8000"
    # "envelope": a P-256 key sealed under key_encryption_key_alias signs in process (no KMS call per
    # token); "kms": the asymmetric KMS key behind signing_key_alias signs (one KMS Sign per token).
    signing_mode: str = "envelope"
    key_encryption_key_alias: str = "alias/agentgate-token-key-encryption"
    api_stage: str = "v1"  # the REST API stage whose authorizer cache a pause flushes
    signing_key_rotation_days: int = 30


def _usage_plan_ids(raw: str) -> dict[str, str]:
    """``free=abc,pro=def`` -> {"free": "abc", "pro": "def"}."""
    pairs = (item.split("=", 1) for item in raw.split(",") if "=" in item)
    return {tier.strip(): plan.strip() for tier, plan in pairs}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    env = os.environ.get
    return Settings(
        stage=env("STAGE", "local"),
        region=env("AWS_REGION", env("AWS_DEFAULT_REGION", "us-east-1")),
        table_name=env("TABLE_NAME", "agentgate"),
        runs_stream=env("RUNS_STREAM_NAME", "agentgate-runs"),
        analytics_stream=env("ANALYTICS_STREAM_NAME", "agentgate-analytics"),
        signing_key_alias=env("SIGNING_KEY_ALIAS", "alias/agentgate-token-signing"),
        issuer=env("TOKEN_ISSUER", "http://127.0.0.1:8000"),
        token_audience=env("TOKEN_AUDIENCE", "agentgate"),
        access_token_ttl_seconds=_int("ACCESS_TOKEN_TTL_SECONDS", 900),
        user_pool_id=env("USER_POOL_ID", ""),
        user_pool_client_id=env("USER_POOL_CLIENT_ID", ""),
        cognito_jwks_url=env("COGNITO_JWKS_URL", ""),
        approval_state_machine_arn=env("APPROVAL_STATE_MACHINE_ARN", ""),
        webhook_queue_url=env("WEBHOOK_QUEUE_URL", ""),
        dead_letter_queue_url=env("DEAD_LETTER_QUEUE_URL", ""),
        runs_dead_letter_queue_url=env("RUNS_DEAD_LETTER_QUEUE_URL", ""),
        rest_api_id=env("REST_API_ID", ""),
        usage_plan_ids=_usage_plan_ids(env("USAGE_PLAN_IDS", "")),
        authorizer_cache_ttl_seconds=_int("AUTHORIZER_CACHE_TTL_SECONDS", 60),
        allow_loopback_webhooks=env("ALLOW_LOOPBACK_WEBHOOKS", "false").lower() == "true",
        stripe_api_key=env("STRIPE_API_KEY", ""),
        stripe_webhook_secret=env("STRIPE_WEBHOOK_SECRET", ""),
        portal_url=env("PORTAL_URL", "http://127.0.0.1:8000"),
        signing_mode=env("SIGNING_MODE", "envelope").lower(),
        key_encryption_key_alias=env("KEY_ENCRYPTION_KEY_ALIAS", "alias/agentgate-token-key-encryption"),
        api_stage=env("API_STAGE", "v1"),
        signing_key_rotation_days=_int("SIGNING_KEY_ROTATION_DAYS", 30),
    )


def reset_settings() -> None:
    """Forget cached settings (tests and the local stack change the environment)."""
    get_settings.cache_clear()

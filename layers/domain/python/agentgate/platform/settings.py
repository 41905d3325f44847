"""Settings read from the environment, once per warm container.

Every setting is declared once, here: its name and default in ``Settings``, its environment
variable by ``env_name``. Every default suits the local stack, so importing and testing any
module needs no environment set up; CDK and the local stack set values through ``settings_env``.
"""

from __future__ import annotations

import os
from dataclasses import MISSING, dataclass, field, fields
from functools import lru_cache
from typing import Any


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
    # OIDC issuers for token exchange on this machine (the local stack and its tests only).
    allow_loopback_issuers: bool = False
    stripe_api_key: str = ""
    stripe_webhook_secret: str = ""
    portal_url: str = "http://127.0.0.1:8000"
    # Billing. In AWS the Stripe API key and webhook secret come from the Secrets Manager secret
    # ``STRIPE_SECRET_ARN`` names (JSON ``{"api_key", "webhook_secret"}``), never from the template.
    stripe_secret_arn: str = ""
    stripe_api_base: str = ""  # empty: Stripe itself; the local stack points it at its emulator
    stripe_price_ids: dict[str, str] = field(default_factory=dict)  # tier -> Stripe price id
    stripe_meter_api_calls: str = ""  # meter event names; empty: that usage is not reported
    stripe_meter_runs: str = ""
    billing_queue_url: str = ""
    # "envelope": a P-256 key sealed under key_encryption_key_alias signs in process (no KMS call per
    # token); "kms": the asymmetric KMS key behind signing_key_alias signs (one KMS Sign per token).
    signing_mode: str = "envelope"
    key_encryption_key_alias: str = "alias/agentgate-token-key-encryption"
    api_stage: str = "v1"  # the REST API stage whose authorizer cache a pause flushes
    signing_key_rotation_days: int = 30


# The environment variable of each setting: its field name in capitals, except these. The local stack
# and CDK name variables through ``env_name`` / ``settings_env``, so no name is spelled twice.
_ENV_NAMES: dict[str, tuple[str, ...]] = {
    "region": ("AWS_REGION", "AWS_DEFAULT_REGION"),
    "runs_stream": ("RUNS_STREAM_NAME",),
    "analytics_stream": ("ANALYTICS_STREAM_NAME",),
    "issuer": ("TOKEN_ISSUER",),
}


def env_name(setting: str) -> str:
    """The environment variable that sets ``setting`` (a field of ``Settings``)."""
    if setting not in _FIELDS:
        raise KeyError(f"no setting {setting!r}")
    return _ENV_NAMES.get(setting, (setting.upper(),))[0]


def settings_env(**values: object) -> dict[str, str]:
    """Environment variables of settings: ``settings_env(table_name="t")`` -> {"TABLE_NAME": "t"}."""
    return {env_name(name): _text(value) for name, value in values.items()}


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def _usage_plan_ids(raw: str) -> dict[str, str]:
    """``free=abc,pro=def`` -> {"free": "abc", "pro": "def"} (usage plans, Stripe prices: per tier)."""
    pairs = (item.split("=", 1) for item in raw.split(",") if "=" in item)
    return {tier.strip(): plan.strip() for tier, plan in pairs}


def _parse(default: object, raw: str) -> object:
    if isinstance(default, bool):
        return raw.lower() == "true"
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, dict):
        return _usage_plan_ids(raw)
    return raw


_FIELDS = {f.name: f for f in fields(Settings)}


def _default(name: str) -> object:
    spec = _FIELDS[name]
    if spec.default_factory is not MISSING:
        return spec.default_factory()
    return spec.default


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    values: dict[str, Any] = {}
    for name in _FIELDS:
        names = _ENV_NAMES.get(name, (name.upper(),))
        raw = next((os.environ[n] for n in names if os.environ.get(n)), None)
        values[name] = _default(name) if raw is None else _parse(_default(name), raw)
    return Settings(**values)


def reset_settings() -> None:
    """Forget cached settings (tests and the local stack change the environment)."""
    get_settings.cache_clear()

"""An agent's OAuth client credentials: the secret is in the create/rotate answer only, never again."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from agentgate.schemas.common import Page, RequestModel, ResponseModel

DEFAULT_GRACE_PERIOD_SECONDS = 24 * 3600
MAX_GRACE_PERIOD_SECONDS = 7 * 24 * 3600
DEFAULT_LIFETIME_DAYS = 365
MAX_LIFETIME_DAYS = 730


class CreateCredential(RequestModel):
    """Creates the agent's credential, or rotates it when one is active."""

    grace_period_seconds: int = Field(
        default=DEFAULT_GRACE_PERIOD_SECONDS,
        ge=0,
        le=MAX_GRACE_PERIOD_SECONDS,
        description="On rotation: how long the previous secret stays valid.",
    )
    expires_in_days: int = Field(default=DEFAULT_LIFETIME_DAYS, ge=1, le=MAX_LIFETIME_DAYS)


class IssuedCredential(ResponseModel):
    credential_id: str
    client_id: str
    client_secret: str = Field(description="Shown once; only its hash is stored.")
    expires_at: datetime
    rotated: bool = False
    previous_secret_valid_until: datetime | None = None


class Credential(ResponseModel):
    credential_id: str
    client_id: str
    agent_id: str
    status: Literal["active", "revoked", "expired"]
    created_at: datetime
    expires_at: datetime
    rotated_at: datetime | None = None
    revoked_at: datetime | None = None
    previous_secret_valid_until: datetime | None = None


class CredentialPage(Page[Credential]):
    pass

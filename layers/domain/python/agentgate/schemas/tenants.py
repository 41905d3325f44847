"""Sign-up, sign-in and the organisation profile."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from agentgate.schemas.common import RequestModel, ResponseModel

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
# Cognito's password policy (CDK and the local pool): at least 12 characters.
PASSWORD_MIN_LENGTH = 12

Email = Annotated[str, Field(min_length=3, max_length=254, pattern=EMAIL_PATTERN), AfterValidator(str.lower)]
OrgName = Annotated[str, Field(min_length=1, max_length=100)]


class SignupRequest(RequestModel):
    org_name: OrgName
    email: Email
    password: str = Field(min_length=PASSWORD_MIN_LENGTH, max_length=256)


class LoginRequest(RequestModel):
    email: Email
    password: str = Field(min_length=1, max_length=256)
    new_password: str | None = Field(
        default=None,
        min_length=PASSWORD_MIN_LENGTH,
        max_length=256,
        description="Required on the first sign-in of an invited member (replaces the temporary password)",
    )


class RefreshRequest(RequestModel):
    refresh_token: str = Field(min_length=1, max_length=8192)


class Tokens(ResponseModel):
    id_token: str
    access_token: str
    refresh_token: str | None = None
    expires_in: int
    token_type: Literal["Bearer"] = "Bearer"


class SignupResult(ResponseModel):
    tenant_id: str
    user_id: str
    tokens: Tokens


class LoginResult(ResponseModel):
    tokens: Tokens


class OrgProfile(ResponseModel):
    tenant_id: str
    name: str
    tier: str
    status: str
    created_at: datetime
    updated_at: datetime | None = None


class OrgProfileUpdate(RequestModel):
    name: OrgName

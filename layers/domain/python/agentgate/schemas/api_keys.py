"""Tenant API keys: scoped, shown once, revocable."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from agentgate.schemas.common import Page, RequestModel, ResponseModel

# The scopes an API key may carry (API.md names which routes need which). ``admin`` lets a key
# call every route a user may call.
API_KEY_SCOPES = (
    "admin",
    "agents:read",
    "agents:write",
    "agents:control",
    "runs:read",
    "ingest",
    "costs:read",
)
ApiKeyScope = Literal[
    "admin", "agents:read", "agents:write", "agents:control", "runs:read", "ingest", "costs:read"
]


class ApiKeyCreate(RequestModel):
    name: str = Field(min_length=1, max_length=100)
    scopes: Annotated[list[ApiKeyScope], Field(min_length=1, max_length=len(API_KEY_SCOPES))]


class ApiKey(ResponseModel):
    id: str
    name: str
    scopes: list[str]
    prefix: str
    status: str
    created_at: datetime
    created_by: str
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class CreatedApiKey(ApiKey):
    key: str = Field(description="The key itself: shown only in this answer")


class ApiKeyPage(Page[ApiKey]):
    pass

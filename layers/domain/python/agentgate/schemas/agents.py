"""The agent registry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from agentgate.schemas.common import Page, PageQuery, RequestModel, ResponseModel
from agentgate.schemas.members import Team

AgentStatus = Literal["active", "paused"]
Tag = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")]
Scope = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_.:-]*$")]
Label = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.:-]*$")]
MAX_TAGS = 20
MAX_SCOPES = 50


class Agent(ResponseModel):
    id: str
    name: str
    description: str
    type: str
    provider: str | None = None
    environment: str
    tags: list[str]
    team: str | None = None
    status: AgentStatus
    scopes: list[str]
    created_at: datetime
    updated_at: datetime | None = None
    paused_reason: str | None = None


class AgentPage(Page[Agent]):
    pass


class AgentCreate(RequestModel):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=1000)
    type: Label = "autonomous"
    provider: Label | None = None
    environment: Label = "production"
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    team: Team | None = None
    scopes: list[Scope] = Field(default_factory=list, max_length=MAX_SCOPES)


class AgentUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=1000)
    type: Label | None = None
    provider: Label | None = None
    environment: Label | None = None
    tags: list[Tag] | None = Field(default=None, max_length=MAX_TAGS)
    team: Team | None = None
    scopes: list[Scope] | None = Field(default=None, max_length=MAX_SCOPES)


class AgentQuery(PageQuery):
    status: AgentStatus | None = None
    team: Team | None = None
    tag: Tag | None = None


class PauseRequest(RequestModel):
    reason: str = Field(default="paused by a person", min_length=1, max_length=500)

"""The agent registry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field

from agentgate.schemas.common import Page, PageQuery, RequestModel, ResponseModel
from agentgate.schemas.members import Team

AgentStatus = Literal["active", "paused"]
Tag = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")]
Scope = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_.:-]*$")]
Label = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.:-]*$")]
MAX_TAGS = 20
MAX_SCOPES = 50
MAX_AUDIENCES = 20
MAX_SKILLS = 50
MAX_INTERFACES = 10
Version = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z][0-9A-Za-z.+-]*$")]


def _absolute_uri(value: str) -> str:
    parts = urlsplit(value)
    if not parts.scheme or not parts.netloc or parts.fragment or "#" in value:
        raise ValueError("must be an absolute URI without a fragment (RFC 8707)")
    return value


# A resource (RFC 8707) the agent's tokens may be for, such as an MCP server's URL.
Audience = Annotated[str, Field(min_length=1, max_length=512), AfterValidator(_absolute_uri)]


class Skill(RequestModel):
    """One thing the agent does, as its A2A card lists it."""

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
    name: str = Field(min_length=1, max_length=100)
    description: str = Field(min_length=1, max_length=1000)
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)


class Interface(RequestModel):
    """Where the agent itself is reached (A2A ``supportedInterfaces``)."""

    url: str = Field(min_length=8, max_length=2048, pattern=r"^https?://")
    protocol_binding: Literal["JSONRPC", "GRPC", "HTTP+JSON"] = "JSONRPC"
    protocol_version: str = Field(default="1.0", min_length=1, max_length=16)


def _unique_skills(skills: list[Skill] | None) -> list[Skill] | None:
    if skills is not None and len({s.id for s in skills}) != len(skills):
        raise ValueError("skill ids must be unique")
    return skills


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
    audiences: list[str] = Field(default_factory=list)
    skills: list[Skill] = Field(default_factory=list)
    interfaces: list[Interface] = Field(default_factory=list)
    version: str = "1.0.0"
    published: bool = False
    published_at: datetime | None = None
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
    audiences: list[Audience] = Field(default_factory=list, max_length=MAX_AUDIENCES)
    skills: Annotated[list[Skill], AfterValidator(_unique_skills)] = Field(
        default_factory=list, max_length=MAX_SKILLS
    )
    interfaces: list[Interface] = Field(default_factory=list, max_length=MAX_INTERFACES)
    version: Version = "1.0.0"


class AgentUpdate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=1000)
    type: Label | None = None
    provider: Label | None = None
    environment: Label | None = None
    tags: list[Tag] | None = Field(default=None, max_length=MAX_TAGS)
    team: Team | None = None
    scopes: list[Scope] | None = Field(default=None, max_length=MAX_SCOPES)
    audiences: list[Audience] | None = Field(default=None, max_length=MAX_AUDIENCES)
    skills: Annotated[list[Skill] | None, AfterValidator(_unique_skills)] = Field(
        default=None, max_length=MAX_SKILLS
    )
    interfaces: list[Interface] | None = Field(default=None, max_length=MAX_INTERFACES)
    version: Version | None = None


class AgentQuery(PageQuery):
    status: AgentStatus | None = None
    team: Team | None = None
    tag: Tag | None = None


class PauseRequest(RequestModel):
    reason: str = Field(default="paused by a person", min_length=1, max_length=500)

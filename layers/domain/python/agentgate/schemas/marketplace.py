"""The public marketplace of published agents: what anyone may see of them, and nothing more."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from agentgate.schemas.agents import Skill, Tag
from agentgate.schemas.common import Page, PageQuery, ResponseModel


class MarketplaceAgent(ResponseModel):
    """A published agent's public face: its card's content and where its card and DID are."""

    tenant_id: str
    agent_id: str
    organization: str
    name: str
    description: str
    version: str
    tags: list[str]
    skills: list[Skill]
    card_url: str
    did: str
    did_document_url: str
    published_at: datetime


class MarketplacePage(Page[MarketplaceAgent]):
    pass


class MarketplaceQuery(PageQuery):
    q: str | None = Field(default=None, min_length=1, max_length=100)
    tag: Tag | None = None


class AgentCard(ResponseModel):
    """An A2A AgentCard (A2A 1.x JSON); validated against the a2a-sdk types in the tests."""

    model_config = {"extra": "allow"}

    name: str
    description: str
    version: str
    supportedInterfaces: list[dict[str, Any]]
    capabilities: dict[str, Any]
    securitySchemes: dict[str, Any]
    securityRequirements: list[dict[str, Any]]
    defaultInputModes: list[str]
    defaultOutputModes: list[str]
    skills: list[dict[str, Any]]


class DidDocument(ResponseModel):
    """A W3C DID document (did:web) of a published agent."""

    model_config = {"extra": "allow"}

    id: str
    verificationMethod: list[dict[str, Any]]
    assertionMethod: list[str]
    authentication: list[str]
    service: list[dict[str, Any]]

"""Trust policies: which external OIDC ID tokens may be exchanged for which agent's tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from agentgate.schemas.agents import MAX_SCOPES, Scope
from agentgate.schemas.common import SORTED_UNIQUE, Page, PageQuery, RequestModel, ResponseModel

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
# Claims whose value may hold a ``*`` glob; every other claim matches exactly.
GLOB_CLAIMS = frozenset({"ref", "sub", "workflow_ref", "job_workflow_ref"})
# Claims that never change for the thing they name: a policy must pin one of them. GitHub's ``sub``
# holds the repository's name, so it pins nothing there; other issuers' ``sub`` is their stable id
# (GitHub Enterprise Server issues the same id claims, GitLab its project and namespace ids).
GITHUB_ID_CLAIMS = ("repository_id", "repository_owner_id")
OTHER_ID_CLAIMS = ("sub", *GITHUB_ID_CLAIMS, "project_id", "namespace_id")
MAX_CLAIMS = 20

ClaimName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z_][A-Za-z0-9_.:-]*$")]
ClaimValue = Annotated[str, Field(min_length=1, max_length=512)]


def issuer_problem(issuer: str) -> str | None:
    """Why ``issuer`` is not an issuer identifier (OIDC Discovery §2: https, no query or fragment)."""
    parts = urlsplit(issuer)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        return "must be an https URL"
    if parts.query or parts.fragment or parts.username or parts.password:
        return "must have no query, fragment or credentials"
    return None


class TrustPolicyCreate(RequestModel):
    name: str = Field(min_length=1, max_length=100)
    issuer: str = Field(min_length=8, max_length=512)
    audience: str = Field(min_length=1, max_length=256, pattern=r"^[\x21-\x7e]+$")
    claims: dict[ClaimName, ClaimValue] = Field(max_length=MAX_CLAIMS)
    agent_id: str = Field(min_length=1, max_length=64)
    scopes: Annotated[list[Scope], SORTED_UNIQUE] = Field(min_length=1, max_length=MAX_SCOPES)
    max_token_ttl_seconds: int | None = Field(default=None, ge=60)

    @field_validator("issuer")
    @classmethod
    def _issuer(cls, value: str) -> str:
        problem = issuer_problem(value)
        if problem:
            raise ValueError(f"the issuer {problem}")
        return value.rstrip("/") if value.count("/") > 2 else value


class TrustPolicy(ResponseModel):
    id: str
    name: str
    issuer: str
    audience: str
    claims: dict[str, str]
    agent_id: str
    scopes: list[str]
    max_token_ttl_seconds: int | None = None
    created_at: datetime
    created_by: str


class TrustPolicyPage(Page[TrustPolicy]):
    pass


class TrustPolicyQuery(PageQuery):
    agent_id: str | None = Field(default=None, max_length=64)

"""The people of a tenant and their roles."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, model_validator

from agentgate.platform.tenancy import Role
from agentgate.schemas.common import Page, RequestModel, ResponseModel
from agentgate.schemas.tenants import Email

Team = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.-]*$")]


class Member(ResponseModel):
    id: str
    email: str
    role: Role
    team: str | None = None
    created_at: datetime


class MemberPage(Page[Member]):
    pass


class MemberInvite(RequestModel):
    email: Email
    role: Role = Role.MEMBER
    team: Team | None = None


class MemberUpdate(RequestModel):
    role: Role | None = None
    team: Team | None = Field(default=None, description="null removes the member from their team")

    @model_validator(mode="after")
    def _something_to_change(self) -> MemberUpdate:
        if not self.model_fields_set:
            raise ValueError("name at least one of role, team")
        if "role" in self.model_fields_set and self.role is None:
            raise ValueError("role cannot be null")
        return self

"""The kill switch: the whole tenant, or every agent of one team or with one tag."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator

from agentgate.schemas.common import RequestModel, ResponseModel


class EmergencyScope(RequestModel):
    """No team and no tag: the tenant itself (a paused tenant's every credential is refused)."""

    team: str | None = Field(default=None, min_length=1, max_length=128)
    tag: str | None = Field(default=None, min_length=1, max_length=128)

    @model_validator(mode="after")
    def _one_scope(self) -> EmergencyScope:
        if self.team is not None and self.tag is not None:
            raise ValueError("give team or tag, not both")
        return self


class EmergencyPauseRequest(EmergencyScope):
    reason: str = Field(default="emergency pause", min_length=1, max_length=512)


class EmergencyResumeRequest(EmergencyScope):
    reason: str = Field(default="emergency resume", min_length=1, max_length=512)


class EmergencyState(ResponseModel):
    tenant_id: str
    status: Literal["active", "paused"]
    scope: Literal["tenant", "team", "tag"]
    scope_id: str | None = None
    paused_agent_ids: list[str] = Field(default_factory=list)
    resumed_agent_ids: list[str] = Field(default_factory=list)
    changed_at: datetime

"""Approvals: a request that waits for a person, and its outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from agentgate.schemas.common import Money, PageQuery, RequestModel, ResponseModel

ApprovalStatus = Literal["pending", "approved", "rejected", "expired"]


class Approval(ResponseModel):
    id: str
    status: ApprovalStatus
    stage: Literal["initial", "escalated"]
    requested_by: str
    action: str
    resource: str | None = None
    context: dict[str, Any] | None = None
    estimated_cost_usd: Money | None = None
    policy_ids: list[str]
    approvers: list[str]
    escalation_approvers: list[str]
    timeout_seconds: int
    four_eyes: bool = False  # True: the agent's registrant may not decide
    created_at: datetime
    escalated_at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    comment: str | None = None


class ApprovalPage(ResponseModel):
    items: list[Approval]
    next_cursor: str | None = None


class ApprovalQuery(PageQuery):
    status: ApprovalStatus | None = None
    waiting_for_me: bool = False


class ApprovalDecisionRequest(RequestModel):
    comment: str | None = Field(default=None, max_length=1000)

"""``POST /api/v1/authorize``: may this agent do this now?"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, field_validator

from agentgate.schemas.common import Money, RequestModel, ResponseModel
from agentgate.schemas.policies import PolicyCreate

MAX_CONTEXT_BYTES = 8192


class AuthorizeRequest(RequestModel):
    action: str = Field(min_length=1, max_length=256)
    resource: str | None = Field(default=None, min_length=1, max_length=1024)
    context: dict[str, Any] = Field(default_factory=dict)
    estimated_cost_usd: Decimal | None = Field(default=None, ge=0, le=Decimal("1000000"), decimal_places=6)

    @field_validator("context")
    @classmethod
    def _small(cls, value: dict[str, Any]) -> dict[str, Any]:
        import json

        if len(json.dumps(value, default=str)) > MAX_CONTEXT_BYTES:
            raise ValueError(f"context must be at most {MAX_CONTEXT_BYTES} bytes of JSON")
        return value


class Reason(ResponseModel):
    """Why: a policy (its id, name and effect), the agent's budget, or the tenant default."""

    kind: Literal["policy", "budget", "default"]
    message: str
    code: str | None = None  # budget_exhausted for a budget that cannot hold the request
    policy_id: str | None = None
    policy_name: str | None = None
    effect: Literal["allow", "deny", "require_approval"] | None = None
    remaining_budget_usd: Money | None = None


class AuthorizeDecision(ResponseModel):
    decision: Literal["allow", "deny", "pending"]
    approval_id: str | None = None
    # Set when an allowed request's estimated_cost_usd is held against the agent's budgets: send it
    # with the run (``authorization_id``) to settle the hold.
    authorization_id: str | None = None
    reasons: list[Reason]


class PolicyEvaluateRequest(AuthorizeRequest):
    """A dry run of ``/authorize`` for one agent of the tenant, optionally with a draft policy.

    ``policy`` is evaluated as if it were saved: beside the stored policies, or in place of the
    stored policy ``policy_id`` (an edit being tested). ``policy_id`` alone reports whether that
    stored policy applies. ``at`` sets the clock the ``time.*`` fields read (default: now).
    """

    agent_id: str = Field(min_length=1, max_length=128)
    at: datetime | None = None
    policy: PolicyCreate | None = None
    policy_id: str | None = Field(default=None, min_length=1, max_length=128)


class TestedPolicy(ResponseModel):
    """The policy under test: whether its scope covers the agent and its conditions hold."""

    policy_id: str | None  # None: an unsaved draft
    name: str
    action: Literal["allow", "deny", "require_approval"]
    active: bool
    in_scope: bool
    conditions_match: bool
    applies: bool  # active, in scope and matching
    decides: bool  # among the policies the decision names


class PolicyEvaluation(ResponseModel):
    """What ``/authorize`` would answer now, with nothing written, reserved or started."""

    decision: Literal["allow", "deny", "pending"]
    reasons: list[Reason]
    matched_policy_ids: list[str]
    default_decision: Literal["allow", "deny"]
    evaluated_at: datetime
    budget_remaining_usd: Money | None = None  # the least left over the agent's budgets; None: none
    tested_policy: TestedPolicy | None = None

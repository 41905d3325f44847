"""``POST /api/v1/authorize``: may this agent do this now?"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, field_validator

from agentgate.schemas.common import Money, RequestModel, ResponseModel

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

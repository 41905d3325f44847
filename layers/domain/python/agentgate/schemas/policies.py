"""Policies: who they apply to, when (conditions), and what they decide."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from agentgate.platform.tenancy import Role
from agentgate.policy.conditions import ConditionError, parse_conditions
from agentgate.schemas.common import PageQuery, RequestModel, ResponseModel

PolicyAction = Literal["allow", "deny", "require_approval"]
PolicyStatus = Literal["active", "disabled"]
DEFAULT_APPROVAL_TIMEOUT_SECONDS = 3600
MAX_APPROVAL_TIMEOUT_SECONDS = 7 * 24 * 3600
_ID = re.compile(r"^[A-Za-z0-9_.@+\-]{1,254}$")
ROLE_APPROVER_PREFIX = "role:"


def check_approver(entry: str) -> str:
    """``role:<role>`` (that role or higher), or a user id or e-mail address."""
    if entry.startswith(ROLE_APPROVER_PREFIX):
        role = entry.removeprefix(ROLE_APPROVER_PREFIX)
        if role not in {r.value for r in Role} or role == Role.VIEWER.value:
            raise ValueError(f"unknown approver role {role!r}; use member, team_lead, admin or owner")
        return entry
    if not _ID.match(entry):
        raise ValueError(f"approver {entry!r} is neither role:<role> nor a user id or e-mail")
    return entry


def check_conditions(value: dict[str, Any] | None) -> dict[str, Any] | None:
    try:
        parse_conditions(value)
    except ConditionError as exc:
        raise ValueError(str(exc)) from None
    return value


class PolicyScope(RequestModel):
    """No agents and no teams: the policy applies to every agent of the tenant."""

    agents: list[str] = Field(default_factory=list, max_length=100)
    teams: list[str] = Field(default_factory=list, max_length=100)

    @field_validator("agents", "teams")
    @classmethod
    def _ids(cls, values: list[str]) -> list[str]:
        for value in values:
            if not _ID.match(value):
                raise ValueError(f"{value!r} is not an id")
        return sorted(set(values))


Approvers: Any = Field(default_factory=list, max_length=50)


class PolicyCreate(RequestModel):
    name: str = Field(min_length=1, max_length=128)
    description: str = Field(default="", max_length=1024)
    scope: PolicyScope = Field(default_factory=PolicyScope)
    conditions: dict[str, Any] | None = None
    action: PolicyAction
    approvers: list[str] = Approvers
    escalation_approvers: list[str] = Approvers
    approval_timeout_seconds: int | None = Field(default=None, ge=1, le=MAX_APPROVAL_TIMEOUT_SECONDS)
    status: PolicyStatus = "active"
    # True: whoever registered the requesting agent may not decide its requests; None: the tenant default.
    four_eyes: bool | None = None

    _conditions = field_validator("conditions")(check_conditions)

    @field_validator("approvers", "escalation_approvers")
    @classmethod
    def _approvers(cls, values: list[str]) -> list[str]:
        return [check_approver(value) for value in dict.fromkeys(values)]

    @model_validator(mode="after")
    def _approval_fields(self) -> PolicyCreate:
        check_approval_fields(self.action, self.escalation_approvers, self.approval_timeout_seconds)
        return self


def check_approval_fields(action: str, escalation: list[str], timeout: int | None) -> None:
    if action != "require_approval" and (escalation or timeout is not None):
        raise ValueError(
            "escalation_approvers and approval_timeout_seconds are for require_approval policies"
        )


class PolicyUpdate(RequestModel):
    """The fields to change; the merged policy is checked as a whole."""

    name: str | None = Field(default=None, min_length=1, max_length=128)
    description: str | None = Field(default=None, max_length=1024)
    scope: PolicyScope | None = None
    conditions: dict[str, Any] | None = None
    action: PolicyAction | None = None
    approvers: list[str] | None = Field(default=None, max_length=50)
    escalation_approvers: list[str] | None = Field(default=None, max_length=50)
    approval_timeout_seconds: int | None = Field(default=None, ge=1, le=MAX_APPROVAL_TIMEOUT_SECONDS)
    status: PolicyStatus | None = None
    four_eyes: bool | None = None

    _conditions = field_validator("conditions")(check_conditions)

    @field_validator("approvers", "escalation_approvers")
    @classmethod
    def _approvers(cls, values: list[str] | None) -> list[str] | None:
        return None if values is None else [check_approver(value) for value in dict.fromkeys(values)]

    @model_validator(mode="after")
    def _not_empty(self) -> PolicyUpdate:
        if not self.model_fields_set:
            raise ValueError("name at least one field to change")
        for name in ("name", "scope", "action", "status", "approvers", "escalation_approvers"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class PolicyScopeOut(ResponseModel):
    agents: list[str]
    teams: list[str]


class Policy(ResponseModel):
    id: str
    name: str
    description: str
    scope: PolicyScopeOut
    conditions: dict[str, Any] | None
    action: PolicyAction
    approvers: list[str]
    escalation_approvers: list[str]
    approval_timeout_seconds: int | None
    status: PolicyStatus
    four_eyes: bool | None = None  # None: the tenant default applies (GET /api/v1/policy-settings)
    created_at: datetime
    updated_at: datetime | None = None


class PolicyPage(ResponseModel):
    items: list[Policy]
    next_cursor: str | None = None


class PolicyQuery(PageQuery):
    status: PolicyStatus | None = None


DEFAULT_RESERVATION_TTL_SECONDS = 3600
MAX_RESERVATION_TTL_SECONDS = 7 * 24 * 3600


class GovernanceSettings(ResponseModel):
    default_decision: Literal["allow", "deny"]
    four_eyes: bool = False  # the default of policies that leave four_eyes unset
    reservation_ttl_seconds: int = DEFAULT_RESERVATION_TTL_SECONDS
    updated_at: datetime | None = None


class GovernanceSettingsUpdate(RequestModel):
    """The settings to change; the others keep their value."""

    default_decision: Literal["allow", "deny"] | None = None
    four_eyes: bool | None = None
    reservation_ttl_seconds: int | None = Field(default=None, ge=60, le=MAX_RESERVATION_TTL_SECONDS)

    @model_validator(mode="after")
    def _not_empty(self) -> GovernanceSettingsUpdate:
        given = {name for name in self.model_fields_set if getattr(self, name) is not None}
        if not given:
            raise ValueError(
                "name at least one setting: default_decision, four_eyes, reservation_ttl_seconds"
            )
        return self

"""The compliance report: per agent, per control, with evidence (schema version pinned)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from agentgate.schemas.common import ResponseModel

# The report's own schema; a change to its fields is a new version, stated in every report.
SCHEMA_VERSION = "agentgate.compliance/1.0"
ControlStatus = Literal["pass", "fail", "not_applicable"]


class AgentCompliance(ResponseModel):
    id: str
    name: str
    published: bool
    card_valid: bool
    card_problems: list[str]
    did_resolvable: bool
    credentials_rotated_within_days: int | None = Field(
        description="Days since the active credential's secret was made or last rotated; null without one"
    )
    credentials_within_policy: bool
    scopes: list[str]
    scope_flags: list[str] = Field(description="Why the scopes may not be least-privilege (empty: none)")
    least_privilege: bool


class AuditChainStatus(ResponseModel):
    valid: bool
    entries_checked: int
    head_hash: str | None = None
    first_bad_entry: int | None = None


class Control(ResponseModel):
    id: str
    title: str
    status: ControlStatus
    evidence: list[str]


class ComplianceReport(ResponseModel):
    schema_version: str = SCHEMA_VERSION
    generated_at: datetime
    tenant_id: str
    credential_rotation_policy_days: int
    agents: list[AgentCompliance]
    audit_chain: AuditChainStatus
    controls: list[Control]

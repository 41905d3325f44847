"""The audit log: entries of the hash chain, their listing and the chain's verification."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, ConfigDict, Field

from agentgate.schemas.common import Page, PageQuery, ResponseModel


class AuditQuery(PageQuery):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)

    action: str | None = Field(default=None, min_length=1, max_length=100)
    actor: str | None = Field(default=None, min_length=1, max_length=200)
    target: str | None = Field(
        default=None, min_length=1, max_length=300, description="One entity, exactly: `agent:agt_...`"
    )
    target_type: str | None = Field(
        default=None,
        pattern=r"^[a-z][a-z0-9_]{0,39}$",
        description="Every entity of one kind: `agent` matches each `agent:...` target",
    )
    from_: AwareDatetime | None = Field(default=None, alias="from")
    to: AwareDatetime | None = None


class AuditEntry(ResponseModel):
    seq: int
    at: datetime
    actor: str
    action: str
    target: str
    details: dict[str, Any]
    prev_hash: str
    hash: str


class AuditEntryPage(Page[AuditEntry]):
    pass


class AuditVerification(ResponseModel):
    valid: bool
    entries_checked: int
    head_hash: str | None
    first_bad_entry: int | None = None
    signed_seq: int | None = Field(default=None, description="The last head sequence signed with KMS")
    reason: str | None = None


class AuditHeadSignature(ResponseModel):
    signed_seq: int | None
    signed_hash: str | None
    signed_at: datetime | None
    signing_key_id: str | None

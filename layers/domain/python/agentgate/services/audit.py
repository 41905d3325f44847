"""The tenant's tamper-evident audit log: a hash chain with a KMS-signed head.

Each entry's hash is SHA-256(previous hash + RFC 8785 canonical JSON of the entry). The head item
(``sk=AUDIT#HEAD``: last seq and hash) moves in the same transaction that writes the entry, on the
condition that nobody moved it first, so concurrent appends stay one line (the loser retries on the
new head). Editing an entry breaks its hash; deleting the chain's tail and rewinding the head is
caught by the head's KMS signature (signed periodically and on demand), which names a seq and hash
the chain must still contain.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import rfc8785

from agentgate.data.tenant import actor_of, system_data, tenant_data
from agentgate.data.transactions import Transaction
from agentgate.models import AuditEntryItem, AuditHeadItem
from agentgate.platform.tenancy import TenantContext
from agentgate.schemas.audit import (
    AuditEntry,
    AuditEntryPage,
    AuditQuery,
)

GENESIS_HASH = "0" * 64
FIRST_SK = AuditEntryItem.sk_for(0)
LAST_SK = AuditEntryItem.sk_for(10**12 - 1)
_MAX_ATTEMPTS = 12
SIGNING_ALGORITHM = "ECDSA_SHA_256"


__all__ = ["actor_of", "append", "current_head", "entry_body", "entry_hash", "list_entries"]


def _timestamp(moment: datetime) -> str:
    """Fixed-width UTC text: it sorts as it compares, and it is exactly what gets hashed."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _plain(details: dict[str, Any]) -> dict[str, Any]:
    """Details as JSON gives them back (what is stored is what was hashed)."""
    plain: dict[str, Any] = json.loads(json.dumps(details, default=str))
    return plain


def entry_body(entry: AuditEntryItem) -> dict[str, Any]:
    return {
        "seq": int(entry.seq),
        "tenant_id": entry.tenant_id,
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action,
        "target": entry.target,
        "details": entry.details or {},
    }


def entry_hash(prev_hash: str, body: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + rfc8785.dumps(body)).hexdigest()


def current_head(tenant_id: str) -> AuditHeadItem | None:
    return system_data(tenant_id).find(AuditHeadItem, AuditHeadItem.SK, consistent=True)


def append(
    tenant_id: str, *, actor: str, action: str, target: str, details: dict[str, Any] | None = None
) -> AuditEntryItem:
    """Append one entry to the tenant's chain; concurrent appends retry until each has its own seq."""
    plain = _plain(details or {})
    data = system_data(tenant_id, actor)

    def build(tx: Transaction) -> AuditEntryItem:
        head = current_head(tenant_id)
        seq = int(head.seq) + 1 if head else 1
        prev_hash = head.hash if head else GENESIS_HASH
        entry = data.new(
            AuditEntryItem,
            AuditEntryItem.sk_for(seq),
            seq=seq,
            at=_timestamp(datetime.now(UTC)),
            actor=actor,
            action=action,
            target=target,
            details=plain,
            prev_hash=prev_hash,
        )
        entry.hash = entry_hash(prev_hash, entry_body(entry))
        tx.put(entry, AuditEntryItem.pk.does_not_exist(), name="entry")
        if head is None:
            first = data.new(
                AuditHeadItem,
                AuditHeadItem.SK,
                seq=seq,
                hash=entry.hash,
                gsi1pk=AuditHeadItem.GSI1PK,
                gsi1sk=tenant_id,
            )
            tx.put(first, AuditHeadItem.pk.does_not_exist(), name="head")
        else:
            tx.update(
                head,
                [AuditHeadItem.seq.set(seq), AuditHeadItem.hash.set(entry.hash)],
                AuditHeadItem.seq == head.seq,
                name="head",
            )
        return entry

    # A failed condition means another append moved the head first: build on the new head.
    return data.transact(
        build,
        attempts=_MAX_ATTEMPTS,
        busy_message="The audit log is busy; retry shortly.",
        retry_conditions=True,
    )


def _to_schema(item: AuditEntryItem) -> AuditEntry:
    return AuditEntry(
        seq=int(item.seq),
        at=datetime.fromisoformat(item.at.replace("Z", "+00:00")),
        actor=item.actor,
        action=item.action,
        target=item.target,
        details=item.details or {},
        prev_hash=item.prev_hash,
        hash=item.hash,
    )


def list_entries(ctx: TenantContext, query: AuditQuery) -> AuditEntryPage:
    """Newest first, filtered by action, actor, entity (one, or every one of a kind) and time."""
    condition = None
    for part in (
        AuditEntryItem.action == query.action if query.action else None,
        AuditEntryItem.actor == query.actor if query.actor else None,
        AuditEntryItem.target == query.target if query.target else None,
        AuditEntryItem.target.startswith(f"{query.target_type}:") if query.target_type else None,
        AuditEntryItem.at >= _timestamp(query.from_) if query.from_ else None,
        AuditEntryItem.at <= _timestamp(query.to) if query.to else None,
    ):
        if part is not None:
            condition = part if condition is None else condition & part
    page = tenant_data(ctx).page(
        AuditEntryItem,
        sk_between=(FIRST_SK, LAST_SK),
        filter=condition,
        newest_first=True,
        limit=query.limit,
        cursor=query.cursor,
    )
    return AuditEntryPage(items=[_to_schema(item) for item in page.items], next_cursor=page.next_cursor)

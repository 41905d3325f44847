"""The tenant's tamper-evident audit log: a hash chain with a KMS-signed head.

Each entry's hash is SHA-256(previous hash + RFC 8785 canonical JSON of the entry). The head item
(``sk=AUDIT#HEAD``: last seq and hash) moves in the same transaction that writes the entry, on the
condition that nobody moved it first, so concurrent appends stay one line (the loser retries on the
new head). Editing an entry breaks its hash; deleting the chain's tail and rewinding the head is
caught by the head's KMS signature (signed periodically and on demand), which names a seq and hash
the chain must still contain.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from agentgate.data.cursors import decode_cursor, encode_cursor
from agentgate.models import AuditEntryItem, AuditHeadItem, tenant_pk
from agentgate.platform.aws import client
from agentgate.platform.errors import DependencyUnavailable
from agentgate.platform.observability import logger
from agentgate.platform.settings import get_settings
from agentgate.platform.tenancy import TenantContext
from agentgate.schemas.audit import (
    AuditEntry,
    AuditEntryPage,
    AuditHeadSignature,
    AuditQuery,
    AuditVerification,
)

GENESIS_HASH = "0" * 64
_FIRST_SK = AuditEntryItem.sk_for(0)
_LAST_SK = AuditEntryItem.sk_for(10**12 - 1)
_MAX_ATTEMPTS = 12
_RETRYABLE = frozenset({"ConditionalCheckFailed", "TransactionConflict"})
SIGNING_ALGORITHM = "ECDSA_SHA_256"


def actor_of(ctx: TenantContext) -> str:
    """How the log names whoever made a change: ``user:<sub>``, ``apikey:<key id>``, ``agent:<id>``."""
    return f"{ctx.principal.kind.value}:{ctx.principal.id}"


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


def _head(tenant_id: str) -> AuditHeadItem | None:
    try:
        return AuditHeadItem.get(tenant_pk(tenant_id), AuditHeadItem.SK, consistent_read=True)
    except AuditHeadItem.DoesNotExist:
        return None


def append(
    tenant_id: str, *, actor: str, action: str, target: str, details: dict[str, Any] | None = None
) -> AuditEntryItem:
    """Append one entry to the tenant's chain; concurrent appends retry until each has its own seq."""
    plain = _plain(details or {})
    for attempt in range(_MAX_ATTEMPTS):
        head = _head(tenant_id)
        seq = int(head.seq) + 1 if head else 1
        prev_hash = head.hash if head else GENESIS_HASH
        entry = AuditEntryItem(
            tenant_pk(tenant_id),
            AuditEntryItem.sk_for(seq),
            tenant_id=tenant_id,
            seq=seq,
            at=_timestamp(datetime.now(UTC)),
            actor=actor,
            action=action,
            target=target,
            details=plain,
            prev_hash=prev_hash,
        )
        entry.hash = entry_hash(prev_hash, entry_body(entry))
        try:
            with TransactWrite(connection=AuditEntryItem._get_connection().connection) as tx:
                tx.save(entry, condition=AuditEntryItem.pk.does_not_exist())
                if head is None:
                    first = AuditHeadItem(
                        tenant_pk(tenant_id),
                        AuditHeadItem.SK,
                        tenant_id=tenant_id,
                        seq=seq,
                        hash=entry.hash,
                        gsi1pk=AuditHeadItem.GSI1PK,
                        gsi1sk=tenant_id,
                    )
                    tx.save(first, condition=AuditHeadItem.pk.does_not_exist())
                else:
                    tx.update(
                        head,
                        actions=[AuditHeadItem.seq.set(seq), AuditHeadItem.hash.set(entry.hash)],
                        condition=AuditHeadItem.seq == head.seq,
                    )
            return entry
        except TransactWriteError as exc:
            codes = {reason.code for reason in (exc.cancellation_reasons or []) if reason is not None}
            if not codes & _RETRYABLE and exc.cause_response_code != "TransactionConflictException":
                raise
            # Full jitter over an exponential window (10 ms doubling, capped at 250 ms): appenders that
            # collided spread out instead of colliding again in lockstep.
            time.sleep(random.uniform(0, min(0.25, 0.01 * 2**attempt)))  # noqa: S311 - jitter, not secrecy
    raise DependencyUnavailable("The audit log is busy; retry shortly.", headers={"Retry-After": "1"})


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
    """Newest first, filtered by action, actor and time."""
    condition = None
    for part in (
        AuditEntryItem.action == query.action if query.action else None,
        AuditEntryItem.actor == query.actor if query.actor else None,
        AuditEntryItem.at >= _timestamp(query.from_) if query.from_ else None,
        AuditEntryItem.at <= _timestamp(query.to) if query.to else None,
    ):
        if part is not None:
            condition = part if condition is None else condition & part
    results = AuditEntryItem.query(
        ctx.pk,
        AuditEntryItem.sk.between(_FIRST_SK, _LAST_SK),
        filter_condition=condition,
        scan_index_forward=False,
        limit=query.limit,
        last_evaluated_key=decode_cursor(query.cursor, {"pk": ctx.pk}),
    )
    items = [_to_schema(item) for item in results]
    return AuditEntryPage(items=items, next_cursor=encode_cursor(results.last_evaluated_key))


# --- the signed head ----------------------------------------------------------------------------


def _signed_message(tenant_id: str, seq: int, head_hash: str) -> bytes:
    return rfc8785.dumps({"tenant_id": tenant_id, "seq": seq, "hash": head_hash})


def sign_head(tenant_id: str) -> bool:
    """Sign the tenant's current head with the token signing key (KMS, RAW); False when already signed."""
    head = _head(tenant_id)
    if head is None or (head.signed_seq is not None and int(head.signed_seq) >= int(head.seq)):
        return False
    seq, head_hash = int(head.seq), head.hash
    signed = client("kms").sign(
        KeyId=get_settings().signing_key_alias,
        Message=_signed_message(tenant_id, seq, head_hash),
        MessageType="RAW",
        SigningAlgorithm=SIGNING_ALGORITHM,
    )
    try:
        head.update(
            actions=[
                AuditHeadItem.signed_seq.set(seq),
                AuditHeadItem.signed_hash.set(head_hash),
                AuditHeadItem.signature.set(base64.b64encode(signed["Signature"]).decode()),
                AuditHeadItem.signing_key_id.set(signed["KeyId"]),
                AuditHeadItem.signed_at.set(datetime.now(UTC)),
            ],
            # A slower signer of an older head never replaces a newer signature.
            condition=AuditHeadItem.signed_seq.does_not_exist() | (AuditHeadItem.signed_seq < seq),
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True


def sign_now(ctx: TenantContext) -> AuditHeadSignature:
    """Sign the tenant's head on demand (before an export or an inspection) and show the signature."""
    sign_head(ctx.tenant_id)
    head = _head(ctx.tenant_id)
    if head is None:
        return AuditHeadSignature(signed_seq=None, signed_hash=None, signed_at=None, signing_key_id=None)
    return AuditHeadSignature(
        signed_seq=int(head.signed_seq) if head.signed_seq is not None else None,
        signed_hash=head.signed_hash,
        signed_at=head.signed_at,
        signing_key_id=head.signing_key_id,
    )


def sign_all_heads() -> int:
    """Sign every tenant's head that moved since its last signature (the periodic timer)."""
    signed = 0
    for head in AuditHeadItem.gsi1.query(AuditHeadItem.GSI1PK):
        if head.signed_seq is None or int(head.signed_seq) < int(head.seq):
            signed += sign_head(head.tenant_id)
    logger.info("audit heads signed", extra={"signed": signed})
    return signed


@cache
def _public_key(key_id: str) -> ec.EllipticCurvePublicKey:
    der = client("kms").get_public_key(KeyId=key_id)["PublicKey"]
    key = serialization.load_der_public_key(der)
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise TypeError("the audit signing key is not an EC key")
    return key


def _signature_valid(head: AuditHeadItem) -> bool:
    if not (head.signature and head.signing_key_id and head.signed_hash and head.signed_seq is not None):
        return False
    message = _signed_message(head.tenant_id, int(head.signed_seq), head.signed_hash)
    try:
        _public_key(head.signing_key_id).verify(
            base64.b64decode(head.signature), message, ec.ECDSA(hashes.SHA256())
        )
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass
class _Walk:
    checked: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    first_bad: int | None = None
    reason: str | None = None


def _walk_chain(tenant_id: str, signed_seq: int | None) -> tuple[_Walk, str | None]:
    """Recompute every link; stop at the first that does not hold. Returns the hash at ``signed_seq``."""
    walk = _Walk()
    hash_at_signed: str | None = None
    for item in AuditEntryItem.query(
        tenant_pk(tenant_id), AuditEntryItem.sk.between(_FIRST_SK, _LAST_SK), consistent_read=True
    ):
        expected = walk.last_seq + 1
        if int(item.seq) != expected or item.sk != AuditEntryItem.sk_for(expected):
            walk.first_bad, walk.reason = expected, "entry missing"
            break
        if item.prev_hash != walk.last_hash:
            walk.first_bad, walk.reason = expected, "previous hash does not match"
            break
        if entry_hash(item.prev_hash, entry_body(item)) != item.hash:
            walk.first_bad, walk.reason = expected, "entry altered"
            break
        walk.checked, walk.last_seq, walk.last_hash = expected, expected, item.hash
        if signed_seq == expected:
            hash_at_signed = item.hash
    return walk, hash_at_signed


def verify(ctx: TenantContext) -> AuditVerification:
    """Recompute the tenant's chain and check it against the head and the head's KMS signature."""
    head = _head(ctx.tenant_id)
    signed_seq = int(head.signed_seq) if head and head.signed_seq is not None else None
    walk, hash_at_signed = _walk_chain(ctx.tenant_id, signed_seq)

    def answer(first_bad: int | None = None, reason: str | None = None) -> AuditVerification:
        return AuditVerification(
            valid=first_bad is None and reason is None,
            entries_checked=walk.checked,
            head_hash=head.hash if head else None,
            first_bad_entry=first_bad,
            signed_seq=signed_seq,
            reason=reason,
        )

    if walk.first_bad is not None:
        return answer(walk.first_bad, walk.reason)
    if head is None:
        return answer(1 if walk.checked else None, "head missing" if walk.checked else None)
    if int(head.seq) != walk.last_seq or head.hash != walk.last_hash:
        return answer(min(int(head.seq), walk.last_seq) + 1, "chain does not end at the head")
    if head.signature is not None or head.signed_seq is not None:
        if not _signature_valid(head):
            return answer(None, "head signature invalid")
        if signed_seq is not None and signed_seq > walk.last_seq:
            return answer(walk.last_seq + 1, "chain truncated before the signed head")
        if hash_at_signed != head.signed_hash:
            return answer(signed_seq, "signed head not in the chain")
    return answer()

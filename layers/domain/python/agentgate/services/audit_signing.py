"""The audit chain's signed head and its verification.

The head (sequence and hash) is signed with KMS (the token signing key, RAW ECDSA) hourly and on
demand, so a chain cut back to an earlier head is detected too. Apart from ``services.audit``,
which every change imports to append, because verifying needs cryptography and appending does not.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from agentgate.data.lookups import query_global
from agentgate.data.tenant import system_data
from agentgate.data.transactions import ConditionFailed
from agentgate.models import AuditEntryItem, AuditHeadItem
from agentgate.platform.aws import client
from agentgate.platform.observability import logger
from agentgate.platform.settings import get_settings
from agentgate.platform.tenancy import TenantContext
from agentgate.schemas.audit import AuditHeadSignature, AuditVerification
from agentgate.services.audit import (
    FIRST_SK,
    GENESIS_HASH,
    LAST_SK,
    SIGNING_ALGORITHM,
    current_head,
    entry_body,
    entry_hash,
)


def _signed_message(tenant_id: str, seq: int, head_hash: str) -> bytes:
    return rfc8785.dumps({"tenant_id": tenant_id, "seq": seq, "hash": head_hash})


def sign_head(tenant_id: str) -> bool:
    """Sign the tenant's current head with the token signing key (KMS, RAW); False when already signed."""
    head = current_head(tenant_id)
    if head is None or (head.signed_seq is not None and int(head.signed_seq) >= int(head.seq)):
        return False
    seq, head_hash = int(head.seq), head.hash
    signed = client("kms").sign(
        KeyId=get_settings().signing_key_alias,
        Message=_signed_message(tenant_id, seq, head_hash),
        MessageType="RAW",
        SigningAlgorithm=SIGNING_ALGORITHM,
    )
    actions = [
        AuditHeadItem.signed_seq.set(seq),
        AuditHeadItem.signed_hash.set(head_hash),
        AuditHeadItem.signature.set(base64.b64encode(signed["Signature"]).decode()),
        AuditHeadItem.signing_key_id.set(signed["KeyId"]),
        AuditHeadItem.signed_at.set(datetime.now(UTC)),
    ]
    # A slower signer of an older head never replaces a newer signature.
    newer = AuditHeadItem.signed_seq.does_not_exist() | (AuditHeadItem.signed_seq < seq)
    try:
        system_data(tenant_id).update(head, actions, newer)
    except ConditionFailed:
        return False
    return True


def sign_now(ctx: TenantContext) -> AuditHeadSignature:
    """Sign the tenant's head on demand (before an export or an inspection) and show the signature."""
    sign_head(ctx.tenant_id)
    head = current_head(ctx.tenant_id)
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
    for head in query_global(AuditHeadItem, AuditHeadItem.GSI1PK, index="gsi1"):
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
    for item in system_data(tenant_id).query(AuditEntryItem, sk_between=(FIRST_SK, LAST_SK), consistent=True):
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
    head = current_head(ctx.tenant_id)
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

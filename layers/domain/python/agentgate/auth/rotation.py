"""Signing-key rotation: a new key is published now and signs after a delay; the old one stays
published until its last token has expired.

The new key is of the deployment's ``signing_mode``: "envelope" (the default) generates a P-256 key
here and stores it sealed under the key-encryption KMS key (``agentgate.auth.envelope``); "kms"
creates an asymmetric KMS key and moves the signing alias to it. The delay
(``ACTIVATION_DELAY_SECONDS``) lets every container's key set learn the new key before any token
carries its kid, so no verifier ever meets a kid it does not know yet.

The ``token-signing-key-rotation`` schedule (``agentgate.schedules``) runs ``rotate_if_due`` every
15 minutes: it makes the first key (or a key of a newly chosen mode) and rotates a key once it is
``SIGNING_KEY_ROTATION_DAYS`` (30) old. The local stack runs ``ensure_signing_key`` as it starts.
By hand: ``python -m agentgate.auth.rotation`` with the function's environment. The
``SIGNING_KEYS`` item is written conditionally on the version read, so two concurrent rotations
cannot lose a key. KMS keys that have left the JWKS are not
deleted here: deleting a KMS key is irreversible, so that stays an operator's decision (``aws kms
schedule-key-deletion``); a retired envelope key leaves the item with its sealed private half.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from pynamodb.exceptions import PutError
from pynamodb.expressions.condition import Condition

from agentgate.auth.keys import (
    ACTIVATION_DELAY_SECONDS,
    ENVELOPE_KEY,
    KINDS,
    KMS_KEY,
    key_set_cache,
    public_key,
    retire_after,
    thumbprint,
)
from agentgate.data.lookups import find_global, put_global
from agentgate.models import PublishedSigningKey, SigningKeysItem
from agentgate.platform.aws import client
from agentgate.platform.errors import Conflict
from agentgate.platform.settings import get_settings

# Every KMS signing key carries this tag, so IAM can grant Sign / GetPublicKey on the keys a rotation
# creates (by ``aws:ResourceTag``) rather than on one key ARN fixed at deploy time.
SIGNING_KEY_TAG = "agentgate:purpose"
SIGNING_KEY_TAG_VALUE = "token-signing"


@dataclass(frozen=True)
class Rotation:
    key_id: str
    kid: str
    kind: str  # "envelope" or "kms"
    signs_from: str  # published at once, signing after the activation delay
    previous_key_id: str
    previous_kid: str
    previous_retire_after: str
    published_kids: list[str]


@dataclass(frozen=True)
class _NewKey:
    key_id: str
    kid: str
    kind: str
    public_key: str | None = None
    sealed_private_key: str | None = None


def _current_item() -> SigningKeysItem:
    """The stored key set; before the first rotation, the key behind the alias at version 0."""
    stored = find_global(SigningKeysItem, SigningKeysItem.KEY, SigningKeysItem.KEY, consistent=True)
    if stored is None:
        key_id = client("kms").describe_key(KeyId=get_settings().signing_key_alias)["KeyMetadata"]["KeyId"]
        return SigningKeysItem(
            SigningKeysItem.KEY,
            SigningKeysItem.KEY,
            current_key_id=key_id,
            current_kid=thumbprint(public_key(key_id)),
            current_kind=KMS_KEY,
            previous=[],
            version=0,
        )
    return stored


def _signing_mode() -> str:
    mode = get_settings().signing_mode
    if mode not in KINDS:
        raise ValueError(f"SIGNING_MODE must be one of {sorted(KINDS)}, not {mode!r}")
    return mode


def _new_kms_key(now: datetime) -> _NewKey:
    created = client("kms").create_key(
        KeySpec="ECC_NIST_P256",
        KeyUsage="SIGN_VERIFY",
        Description=f"AgentGate token signing (rotated {now.isoformat()})",
        Tags=[{"TagKey": SIGNING_KEY_TAG, "TagValue": SIGNING_KEY_TAG_VALUE}],
    )
    key_id = created["KeyMetadata"]["KeyId"]
    return _NewKey(key_id, thumbprint(public_key(key_id)), KMS_KEY)


def _new_envelope_key() -> _NewKey:
    from agentgate.auth import envelope

    private_key = envelope.generate_private_key()
    kid = thumbprint(private_key.public_key())
    sealed, sealed_by = envelope.seal(private_key, kid)
    return _NewKey(sealed_by, kid, ENVELOPE_KEY, envelope.public_key_der(private_key.public_key()), sealed)


def _retired(old: SigningKeysItem, now: datetime) -> PublishedSigningKey:
    return PublishedSigningKey(
        key_id=old.current_key_id,
        kid=old.current_kid,
        retire_after=retire_after(now),
        kind=old.current_kind or KMS_KEY,
        public_key=old.current_public_key,
        sealed_private_key=old.current_sealed_private_key,
    )


def rotate_signing_key(now: datetime | None = None, *, signs_at_once: bool = False) -> Rotation:
    """A new key of the signing mode: published now, signing after the activation delay.

    ``signs_at_once`` skips the delay: only for the first key of a deployment, which no verifier
    has to learn before it signs (``ensure_signing_key``).
    """
    now = now or datetime.now(UTC)
    mode = _signing_mode()
    old = _current_item()
    new = _new_envelope_key() if mode == ENVELOPE_KEY else _new_kms_key(now)
    retired = _retired(old, now)
    still_published = [p for p in (old.previous or []) if p.retire_after > now]
    version = int(old.version or 0)
    item = SigningKeysItem(
        SigningKeysItem.KEY,
        SigningKeysItem.KEY,
        current_key_id=new.key_id,
        current_kid=new.kid,
        current_kind=new.kind,
        current_public_key=new.public_key,
        current_sealed_private_key=new.sealed_private_key,
        current_signs_from=now if signs_at_once else now + timedelta(seconds=ACTIVATION_DELAY_SECONDS),
        rotated_at=now,
        previous=[retired, *still_published],
        version=version + 1,
    )
    # Version 0 is the alias-only key set: the item must still be absent.
    condition: Condition = (
        SigningKeysItem.pk.does_not_exist() if version == 0 else SigningKeysItem.version == version
    )
    try:
        put_global(
            item,
            condition,
            or_raise=Conflict("Another rotation ran meanwhile; retry.", code="rotation_conflict"),
        )
    except (Conflict, PutError):
        if new.kind == KMS_KEY:  # never used: nothing signed with it
            client("kms").schedule_key_deletion(KeyId=new.key_id, PendingWindowInDays=7)
        raise
    if new.kind == KMS_KEY:
        client("kms").update_alias(AliasName=get_settings().signing_key_alias, TargetKeyId=new.key_id)
    key_set_cache.clear()
    return Rotation(
        key_id=new.key_id,
        kid=new.kid,
        kind=new.kind,
        signs_from=(now if signs_at_once else now + timedelta(seconds=ACTIVATION_DELAY_SECONDS)).isoformat(),
        previous_key_id=retired.key_id,
        previous_kid=retired.kid,
        previous_retire_after=retired.retire_after.isoformat(),
        published_kids=[new.kid, *(p.kid for p in item.previous)],
    )


def ensure_signing_key(now: datetime | None = None) -> Rotation | None:
    """Rotate when the newest key is not of the deployment's signing mode (or none was made yet).

    Idempotent, so a deploy can run it every time: a second run finds the key the first one made.
    """
    mode = _signing_mode()
    from agentgate.data.lookups import find_global

    item = find_global(SigningKeysItem, SigningKeysItem.KEY, SigningKeysItem.KEY, consistent=True)
    if item is not None and (item.current_kind or KMS_KEY) == mode:
        return None
    if item is None and mode == KMS_KEY:
        return None  # the key behind the alias is a KMS key: nothing to do
    # The first envelope key signs at once: before it, tokens were signed by the alias's KMS key,
    # whose kid stays published; a verifier meeting the new kid re-reads the key set (keys.find).
    return rotate_signing_key(now, signs_at_once=item is None)


def rotate_if_due(now: datetime | None = None) -> Rotation | None:
    """What the schedule runs: the first key or a key of a newly chosen mode (``ensure_signing_key``),
    else a rotation once the newest key is ``signing_key_rotation_days`` old."""
    from agentgate.data.lookups import find_global

    now = now or datetime.now(UTC)
    rotation = ensure_signing_key(now)
    if rotation is not None:
        return rotation
    item = find_global(SigningKeysItem, SigningKeysItem.KEY, SigningKeysItem.KEY, consistent=True)
    if item is None or item.rotated_at is None:
        return None  # KMS mode on the alias's key: rotating it is an operator's (or KMS's) call
    if now - item.rotated_at < timedelta(days=get_settings().signing_key_rotation_days):
        return None
    return rotate_signing_key(now)


def main() -> None:
    """``python -m agentgate.auth.rotation`` rotates; ``--ensure`` only makes a key when one is due."""
    rotation = ensure_signing_key() if "--ensure" in sys.argv[1:] else rotate_signing_key()
    print(json.dumps(asdict(rotation) if rotation else {"rotated": False}, indent=2))


if __name__ == "__main__":
    main()

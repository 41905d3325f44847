"""Signing-key rotation: a new KMS key is published now and signs after a delay; the old one stays
published until its last token has expired.

The delay (``ACTIVATION_DELAY_SECONDS``) lets every container's key set learn the new key before
any token carries its kid, so no verifier ever meets a kid it does not know yet.

Run it as ``python -m agentgate.auth.rotation`` (with the function's environment) or call
``rotate_signing_key()`` from a scheduled job. The ``SIGNING_KEYS`` item is written before the alias
moves, conditionally on the version read, so two concurrent rotations cannot lose a key. Keys that
have left the JWKS are not deleted here: deleting a KMS key is irreversible, so that stays an
operator's decision (``aws kms schedule-key-deletion``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from pynamodb.exceptions import PutError
from pynamodb.expressions.condition import Condition

from agentgate.auth.keys import ACTIVATION_DELAY_SECONDS, key_set_cache, public_key, retire_after, thumbprint
from agentgate.data.lookups import find_global, put_global
from agentgate.models import PublishedSigningKey, SigningKeysItem
from agentgate.platform.aws import client
from agentgate.platform.errors import Conflict
from agentgate.platform.settings import get_settings

# Every signing key carries this tag, so IAM can grant Sign / GetPublicKey on the keys a rotation
# creates (by ``aws:ResourceTag``) rather than on one key ARN fixed at deploy time.
SIGNING_KEY_TAG = "agentgate:purpose"
SIGNING_KEY_TAG_VALUE = "token-signing"


@dataclass(frozen=True)
class Rotation:
    key_id: str
    kid: str
    signs_from: str  # published at once, signing after the activation delay
    previous_key_id: str
    previous_kid: str
    previous_retire_after: str
    published_kids: list[str]


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
            previous=[],
            version=0,
        )
    return stored


def rotate_signing_key(now: datetime | None = None) -> Rotation:
    now = now or datetime.now(UTC)
    kms = client("kms")
    old = _current_item()
    created = kms.create_key(
        KeySpec="ECC_NIST_P256",
        KeyUsage="SIGN_VERIFY",
        Description=f"AgentGate token signing (rotated {now.isoformat()})",
        Tags=[{"TagKey": SIGNING_KEY_TAG, "TagValue": SIGNING_KEY_TAG_VALUE}],
    )
    key_id = created["KeyMetadata"]["KeyId"]
    kid = thumbprint(public_key(key_id))
    retired = PublishedSigningKey(
        key_id=old.current_key_id, kid=old.current_kid, retire_after=retire_after(now)
    )
    still_published = [p for p in (old.previous or []) if p.retire_after > now]
    version = int(old.version or 0)
    item = SigningKeysItem(
        SigningKeysItem.KEY,
        SigningKeysItem.KEY,
        current_key_id=key_id,
        current_kid=kid,
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
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)  # never used: nothing signed with it
        raise
    kms.update_alias(AliasName=get_settings().signing_key_alias, TargetKeyId=key_id)
    key_set_cache.clear()
    return Rotation(
        key_id=key_id,
        kid=kid,
        signs_from=(now + timedelta(seconds=ACTIVATION_DELAY_SECONDS)).isoformat(),
        previous_key_id=retired.key_id,
        previous_kid=retired.kid,
        previous_retire_after=retired.retire_after.isoformat(),
        published_kids=[kid, *(p.kid for p in item.previous)],
    )


def main() -> None:
    print(json.dumps(asdict(rotate_signing_key()), indent=2))


if __name__ == "__main__":
    main()

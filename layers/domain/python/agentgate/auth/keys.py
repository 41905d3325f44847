"""The token-signing keys: the key that signs now, the previous keys still published, their public keys.

Two kinds of key (``agentgate.platform.settings.signing_mode`` chooses what a rotation makes):
"envelope", a P-256 key whose private half is stored only sealed under a KMS key and opened once
per container (``agentgate.auth.envelope``), its public half stored beside it; and "kms", an
asymmetric KMS key whose private half never leaves KMS, its public key read with ``GetPublicKey``
once per key per container. The key set (the ``SIGNING_KEYS`` item) is re-read at most every
``KEY_SET_MAX_AGE_SECONDS`` so a rotation reaches every container quickly. Before the first
rotation there is no item and the key set is the KMS key behind the signing alias.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key

from agentgate.platform.aws import client
from agentgate.platform.settings import get_settings

# A container re-reads the key set this often; a rotated-out key stays published at least this long
# beyond its last token's expiry, because a container may still sign with it until its copy is stale.
KEY_SET_MAX_AGE_SECONDS = 60
# An unknown kid may mean a rotation this container has not seen; re-read at most this often.
UNKNOWN_KID_REFRESH_SECONDS = 10
# Clock skew allowed between containers when deciding that a previous key is retired.
RETIREMENT_LEEWAY_SECONDS = 60
# A new key is published this long before it signs, so every container (each re-reading the key
# set at most every KEY_SET_MAX_AGE_SECONDS) knows it before the first token carrying its kid.
ACTIVATION_DELAY_SECONDS = KEY_SET_MAX_AGE_SECONDS + RETIREMENT_LEEWAY_SECONDS


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


KMS_KEY = "kms"
ENVELOPE_KEY = "envelope"
KINDS = frozenset({KMS_KEY, ENVELOPE_KEY})


@dataclass(frozen=True)
class SigningKey:
    key_id: str  # the KMS key that signs ("kms") or that sealed the private key ("envelope")
    kid: str  # RFC 7638 thumbprint of the public key
    public_key: ec.EllipticCurvePublicKey
    retire_after: datetime | None = None  # None for the current key
    kind: str = KMS_KEY
    sealed_private_key: str | None = None  # "envelope" keys only

    def jwk(self) -> dict[str, str]:
        return {**public_jwk(self.public_key), "kid": self.kid, "alg": "ES256", "use": "sig"}


@dataclass(frozen=True)
class KeySet:
    current: SigningKey
    previous: tuple[SigningKey, ...] = ()

    @property
    def published(self) -> tuple[SigningKey, ...]:
        return (self.current, *self.previous)

    def by_kid(self, kid: str) -> SigningKey | None:
        return next((key for key in self.published if key.kid == kid), None)


def public_jwk(public_key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    numbers = public_key.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url(numbers.x.to_bytes(32, "big")),
        "y": b64url(numbers.y.to_bytes(32, "big")),
    }


def thumbprint(public_key: ec.EllipticCurvePublicKey) -> str:
    """RFC 7638 JWK thumbprint: stable for a key, and the same in every JOSE library."""
    members = public_jwk(public_key)
    canonical = json.dumps({k: members[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"))
    return b64url(hashlib.sha256(canonical.encode("ascii")).digest())


@lru_cache(maxsize=32)
def _public_key(kms: Any, key_id: str) -> ec.EllipticCurvePublicKey:
    der = kms.get_public_key(KeyId=key_id)["PublicKey"]
    key = load_der_public_key(der)
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError(f"KMS key {key_id} is not an ECC_NIST_P256 key")
    return key


def public_key(key_id: str) -> ec.EllipticCurvePublicKey:
    return _public_key(client("kms"), key_id)


def _now() -> datetime:
    return datetime.now(UTC)


def _stored_key(
    kind: str | None,
    key_id: str,
    kid: str,
    stored_public_key: str | None,
    sealed: str | None,
    retire: datetime | None = None,
) -> SigningKey:
    if kind == ENVELOPE_KEY:
        from agentgate.auth.envelope import load_public_key

        if not stored_public_key or not sealed:
            raise ValueError(f"envelope signing key {kid} lacks its public or sealed private key")
        return SigningKey(key_id, kid, load_public_key(stored_public_key), retire, ENVELOPE_KEY, sealed)
    return SigningKey(key_id, kid, public_key(key_id), retire)


def _read_key_set() -> KeySet:
    from agentgate.data.lookups import find_global
    from agentgate.models import SigningKeysItem

    item = find_global(SigningKeysItem, SigningKeysItem.KEY, SigningKeysItem.KEY)
    if item is None:
        key_id = client("kms").describe_key(KeyId=get_settings().signing_key_alias)["KeyMetadata"]["KeyId"]
        key = public_key(key_id)
        return KeySet(current=SigningKey(key_id, thumbprint(key), key))
    now = _now()
    previous = tuple(
        _stored_key(p.kind, p.key_id, p.kid, p.public_key, p.sealed_private_key, p.retire_after)
        for p in item.previous
        if p.retire_after > now
    )
    newest = _stored_key(
        item.current_kind,
        item.current_key_id,
        item.current_kid,
        item.current_public_key,
        item.current_sealed_private_key,
    )
    signs_from = item.current_signs_from or (
        item.rotated_at + timedelta(seconds=ACTIVATION_DELAY_SECONDS) if item.rotated_at else None
    )
    pending = signs_from is not None and now < signs_from
    if pending and previous:
        # Published, not signing yet: the key it replaces signs until the activation delay is over.
        return KeySet(current=previous[0], previous=(newest, *previous[1:]))
    return KeySet(current=newest, previous=previous)


class _KeySetCache:
    """The key set of this container; reloaded when stale or when the AWS clients were replaced."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: KeySet | None = None
        self._loaded_at = 0.0
        self._kms: Any = None

    def get(self, *, max_age: float = KEY_SET_MAX_AGE_SECONDS) -> KeySet:
        kms = client("kms")
        value = self._value
        if value is not None and kms is self._kms and time.monotonic() - self._loaded_at < max_age:
            return value
        with self._lock:
            if self._value is None or kms is not self._kms or time.monotonic() - self._loaded_at >= max_age:
                self._value = _read_key_set()
                self._loaded_at = time.monotonic()
                self._kms = kms
            return self._value

    def find(self, kid: str) -> SigningKey | None:
        """The published key ``kid``; an unknown kid re-reads the key set (rate-limited)."""
        key = self.get().by_kid(kid)
        if key is None:
            key = self.get(max_age=UNKNOWN_KID_REFRESH_SECONDS).by_kid(kid)
        return key

    def clear(self) -> None:
        with self._lock:
            self._value = None


key_set_cache = _KeySetCache()


def key_set() -> KeySet:
    return key_set_cache.get()


def retire_after(now: datetime) -> datetime:
    """When a key rotated out at ``now`` may leave the JWKS: after every token it signed has expired.

    It signs until the activation delay is over, in containers whose key set may be that much stale.
    """
    seconds = (
        ACTIVATION_DELAY_SECONDS
        + KEY_SET_MAX_AGE_SECONDS
        + get_settings().access_token_ttl_seconds
        + RETIREMENT_LEEWAY_SECONDS
    )
    return now + timedelta(seconds=seconds)

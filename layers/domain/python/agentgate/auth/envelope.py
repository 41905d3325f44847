"""Envelope-encrypted signing keys: a P-256 key sealed under a KMS data key, opened once per container.

The rotation job generates the private key in process, asks KMS for a fresh AES-256 data key
(``GenerateDataKey`` under the key-encryption key, with the kid as encryption context), seals the
PKCS#8 DER private key with AES-256-GCM (the kid again as associated data) and stores only the
sealed form. A container that signs opens it with one ``Decrypt`` the first time it needs that kid,
then keeps the private key in memory: issuing a token costs no KMS call, where KMS-resident signing
costs one ``Sign`` per token (capped near 300 a second per account and region, $0.15 per 10,000).

The encryption context binds the sealed key to its kid: a sealed key copied onto another kid's
record fails to open (KMS refuses the context), and CloudTrail names the kid of every ``Decrypt``.
"""

from __future__ import annotations

import base64
import os
import threading
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from agentgate.platform.aws import client
from agentgate.platform.settings import get_settings

ENCRYPTION_CONTEXT_KEY = "agentgate:signing-kid"
_FORMAT = "v1"  # sealed keys are "v1.<data key ciphertext>.<nonce>.<ciphertext>", base64url parts
_NONCE_BYTES = 12


class SealedKeyError(ValueError):
    """A sealed key that cannot be parsed, or whose kid does not match what it was sealed for."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _context(kid: str) -> dict[str, str]:
    return {ENCRYPTION_CONTEXT_KEY: kid}


@dataclass(frozen=True)
class SealedKey:
    encrypted_data_key: bytes  # KMS ciphertext blob of the AES-256 data key
    nonce: bytes
    ciphertext: bytes  # AES-256-GCM of the PKCS#8 DER private key, the kid as associated data

    def encode(self) -> str:
        return ".".join((_FORMAT, _b64(self.encrypted_data_key), _b64(self.nonce), _b64(self.ciphertext)))

    @classmethod
    def decode(cls, text: str) -> SealedKey:
        parts = text.split(".")
        if len(parts) != 4 or parts[0] != _FORMAT:
            raise SealedKeyError("not a sealed signing key")
        try:
            return cls(_unb64(parts[1]), _unb64(parts[2]), _unb64(parts[3]))
        except ValueError as exc:
            raise SealedKeyError("not a sealed signing key") from exc


def generate_private_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def public_key_der(public_key: ec.EllipticCurvePublicKey) -> str:
    """The SubjectPublicKeyInfo DER, base64: what the key set stores, so verifying needs no KMS call."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode("ascii")


def load_public_key(stored: str) -> ec.EllipticCurvePublicKey:
    key = serialization.load_der_public_key(base64.b64decode(stored))
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise SealedKeyError("the stored public key is not a P-256 key")
    return key


def seal(private_key: ec.EllipticCurvePrivateKey, kid: str) -> tuple[str, str]:
    """(sealed private key, id of the KMS key that sealed it); the plaintext data key is dropped."""
    data_key = client("kms").generate_data_key(
        KeyId=get_settings().key_encryption_key_alias, KeySpec="AES_256", EncryptionContext=_context(kid)
    )
    der = private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    nonce = os.urandom(_NONCE_BYTES)
    ciphertext = AESGCM(data_key["Plaintext"]).encrypt(nonce, der, kid.encode("utf-8"))
    sealed = SealedKey(data_key["CiphertextBlob"], nonce, ciphertext)
    return sealed.encode(), str(data_key["KeyId"])


def _open(kms: Any, kid: str, sealed: str, key_id: str | None) -> ec.EllipticCurvePrivateKey:
    parsed = SealedKey.decode(sealed)
    request: dict[str, Any] = {
        "CiphertextBlob": parsed.encrypted_data_key,
        "EncryptionContext": _context(kid),
    }
    if key_id:
        request["KeyId"] = key_id  # KMS refuses a blob sealed under any other key
    data_key = kms.decrypt(**request)["Plaintext"]
    der = AESGCM(data_key).decrypt(parsed.nonce, parsed.ciphertext, kid.encode("utf-8"))
    key = serialization.load_der_private_key(der, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise SealedKeyError(f"the sealed key {kid} is not a P-256 key")
    return key


class _OpenedKeys:
    """Private keys this container has opened, by kid: one KMS ``Decrypt`` per key per container."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: dict[str, ec.EllipticCurvePrivateKey] = {}
        self._kms: Any = None
        self.decrypts = 0

    def get(self, kid: str, sealed: str, key_id: str | None = None) -> ec.EllipticCurvePrivateKey:
        kms = client("kms")
        key = self._keys.get(kid)
        if key is not None and kms is self._kms:
            return key
        with self._lock:
            if kms is not self._kms:  # new clients (tests, the local stack): another deployment's keys
                self._keys.clear()
                self._kms = kms
            key = self._keys.get(kid)
            if key is None:
                key = self._keys[kid] = _open(kms, kid, sealed, key_id)
                self.decrypts += 1
            return key

    def clear(self) -> None:
        with self._lock:
            self._keys.clear()


opened_keys = _OpenedKeys()

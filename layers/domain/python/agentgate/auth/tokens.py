"""ES256 access tokens: signed in process with the opened envelope key (or by KMS for a KMS-resident
key), verified locally with cached keys.

Both ``cryptography`` and KMS produce an ASN.1 DER ECDSA signature; JWS wants the raw ``r || s``
pair (RFC 7518 §3.4), each 32 bytes big-endian. Verification is PyJWT with the one algorithm we
issue: ``alg: none``, HS256 keyed with the public key and every other algorithm are refused before
any key is looked up.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from jwt.utils import base64url_decode, base64url_encode

from agentgate.auth.keys import ENVELOPE_KEY, SigningKey, b64url, key_set, key_set_cache
from agentgate.platform.aws import client
from agentgate.platform.settings import get_settings
from agentgate.schemas.oauth import SIGNING_ALGORITHM

ALGORITHM = SIGNING_ALGORITHM
TOKEN_TYPE = "at+jwt"  # RFC 9068
# Seconds of clock skew tolerated on exp / nbf / iat.
LEEWAY_SECONDS = 30
REQUIRED_CLAIMS = ("iss", "sub", "aud", "exp", "iat", "nbf", "jti", "tenant_id", "client_id")
# KMS signs at most 4096 bytes with MessageType=RAW; claims are bounded well below that.
MAX_SIGNING_INPUT_BYTES = 4096
MAX_HEADER_CHARS = 1024

_BASE64URL = re.compile(rb"[A-Za-z0-9_-]*")


class _SegmentCheckedAtOnce(jwt.PyJWS):
    """PyJWS, with each segment's base64url check made by one regular expression.

    PyJWT refuses a segment with padding it does not expect, or a character outside the base64url
    alphabet, or one that does not decode canonically; its alphabet check is a Python loop over
    every character, about a tenth of the cost of verifying one of our tokens. This is the same
    check, in the same order, with the same error.
    """

    @staticmethod
    def _decode_base64url_segment(segment: bytes, name: str) -> bytes:
        stripped = segment.rstrip(b"=")
        padding = len(segment) - len(stripped)
        if padding > 2 or (padding and len(segment) % 4 != 0):
            raise jwt.DecodeError(f"Invalid {name} padding")
        if len(stripped) % 4 == 1 or _BASE64URL.fullmatch(stripped) is None:
            raise jwt.DecodeError(f"Invalid {name} padding")
        try:
            decoded = base64url_decode(stripped)
        except (TypeError, binascii.Error) as err:
            raise jwt.DecodeError(f"Invalid {name} padding") from err
        if base64url_encode(decoded) != stripped:
            raise jwt.DecodeError(f"Invalid {name} padding")
        return decoded


_decoder = jwt.PyJWT()
_decoder._jws = _SegmentCheckedAtOnce(options=_decoder._jws.options)


class InvalidToken(Exception):
    """The token is malformed, forged, expired, not yet valid, or not for us."""


def _segment(data: dict[str, Any]) -> str:
    return b64url(json.dumps(data, separators=(",", ":"), sort_keys=True).encode("utf-8"))


def _jose_signature(der: bytes) -> bytes:
    r, s = decode_dss_signature(der)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def _der_signature(key: SigningKey, signing_input: bytes) -> bytes:
    if key.kind == ENVELOPE_KEY and key.sealed_private_key:
        from agentgate.auth.envelope import opened_keys

        private_key = opened_keys.get(key.kid, key.sealed_private_key, key.key_id)
        return private_key.sign(signing_input, ec.ECDSA(hashes.SHA256()))
    response = client("kms").sign(
        KeyId=key.key_id, Message=signing_input, MessageType="RAW", SigningAlgorithm="ECDSA_SHA_256"
    )
    return bytes(response["Signature"])


def sign(claims: dict[str, Any], key: SigningKey | None = None) -> str:
    """A compact JWS of ``claims`` signed with the current key (or ``key``): in process, or in KMS."""
    key = key or key_set().current
    header = {"alg": ALGORITHM, "typ": TOKEN_TYPE, "kid": key.kid}
    signing_input = f"{_segment(header)}.{_segment(claims)}".encode("ascii")
    if len(signing_input) > MAX_SIGNING_INPUT_BYTES:
        raise ValueError("token claims are too large to sign")
    signature = _jose_signature(_der_signature(key, signing_input))
    return f"{signing_input.decode('ascii')}.{b64url(signature)}"


@dataclass(frozen=True)
class VerifiedToken:
    claims: dict[str, Any]
    kid: str

    @property
    def scopes(self) -> frozenset[str]:
        return frozenset(str(self.claims.get("scope", "")).split())


def peek_header(token: str) -> dict[str, Any]:
    """The unverified JOSE header: just enough to choose the algorithm and key.

    Parsed here rather than with ``jwt.get_unverified_header``, which scans every segment of the
    token character by character and was the largest cost of a cached verification.
    """
    head, sep, _ = token.partition(".")
    if not sep or len(head) > MAX_HEADER_CHARS:
        raise InvalidToken("malformed token")
    try:
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise InvalidToken("malformed token") from exc
    if not isinstance(header, dict):
        raise InvalidToken("malformed token")
    return header


def verify(
    token: str,
    *,
    audience: str | None = None,
    verify_audience: bool = True,
    header: dict[str, Any] | None = None,
) -> VerifiedToken:
    """Check signature, algorithm, kid, issuer, audience and time claims; raise InvalidToken otherwise.

    ``header``: the token's header as ``peek_header`` parsed it already (the authorizer peeks first to
    tell a user's token from an agent's), so it is not parsed twice.
    """
    if header is None:
        header = peek_header(token)
    if header.get("alg") != ALGORITHM:
        raise InvalidToken("unexpected algorithm")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise InvalidToken("no kid")
    key = key_set_cache.find(kid)
    if key is None:
        raise InvalidToken("unknown kid")
    settings = get_settings()
    try:
        claims = _decoder.decode(
            token,
            key=key.public_key,
            algorithms=[ALGORITHM],
            audience=(audience or settings.token_audience) if verify_audience else None,
            issuer=settings.issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": list(REQUIRED_CLAIMS), "verify_aud": verify_audience},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    return VerifiedToken(claims=claims, kid=kid)

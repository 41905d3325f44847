"""External OIDC issuers: discovery, their JWKS (cached, refreshed on an unknown kid), ID token checks.

An issuer's discovery document (``<issuer>/.well-known/openid-configuration``) and JWKS are fetched
through ``agentgate.net``: the host must resolve to public addresses only and the connection goes
to the address that was checked. HTTPS only; ``allow_loopback_issuers`` (the local stack) admits
plain HTTP to a loopback address, so tests can run an issuer on this machine. A token is accepted
only when signed with RS256 or ES256 by a key of its issuer's JWKS (never ``none``, never HMAC),
with ``iss``, ``exp``, ``nbf`` and ``iat`` checked and ``iat`` no further in the future than the skew.
"""

from __future__ import annotations

import ipaddress
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import jwt

from agentgate import net
from agentgate.auth.tokens import InvalidToken, peek_header
from agentgate.platform.settings import get_settings

ALGORITHMS = ("RS256", "ES256")
_KEY_TYPES = {"RS256": ("RSA", None), "ES256": ("EC", "P-256")}
# Clock skew tolerated on exp, nbf and iat.
LEEWAY_SECONDS = 60
# A token that claims to live longer than this is refused (issuers mint short-lived ID tokens).
MAX_LIFETIME_SECONDS = 24 * 3600
REQUIRED_CLAIMS = ("iss", "sub", "aud", "exp", "iat", "jti")
# An issuer's keys are re-read this often, and at most this often on an unknown kid.
JWKS_MAX_AGE_SECONDS = 600
UNKNOWN_KID_REFRESH_SECONDS = 10
MAX_DOCUMENT_BYTES = 256 * 1024
FETCH_TIMEOUT_SECONDS = 5.0

_decoder = jwt.PyJWT()


class InvalidIdToken(Exception):
    """The ID token is malformed, badly signed, expired, not yet valid, or not from its issuer."""


class IssuerUnavailable(Exception):
    """The issuer's discovery document or JWKS could not be fetched or used."""


def unverified_issuer(token: str) -> tuple[str, dict[str, Any]]:
    """The ``iss`` claim and header, unverified: enough to find the trust policies and the keys."""
    try:
        header = peek_header(token)
        claims = _decoder.decode(token, options={"verify_signature": False})
    except (InvalidToken, jwt.PyJWTError) as exc:
        raise InvalidIdToken("the subject_token is not a JWT") from exc
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or not issuer:
        raise InvalidIdToken("the subject_token has no iss claim")
    return issuer, header


def _target(url: str) -> net.Target:
    allow_loopback = get_settings().allow_loopback_issuers
    try:
        target = net.resolve(url, allow_loopback=allow_loopback)
    except net.UnsafeURL as exc:
        raise IssuerUnavailable(f"{url}: {exc}") from exc
    if target.scheme != "https":
        if not (allow_loopback and ipaddress.ip_address(target.address).is_loopback):
            raise IssuerUnavailable(f"{url}: the issuer must be reached over https")
    return target


def _fetch_json(url: str) -> dict[str, Any]:
    target = _target(url)
    try:
        reply = net.get(
            target,
            {"Accept": "application/json"},
            timeout=FETCH_TIMEOUT_SECONDS,
            max_bytes=MAX_DOCUMENT_BYTES,
        )
    except (OSError, net.UnsafeURL) as exc:
        raise IssuerUnavailable(f"{url}: {exc}") from exc
    if reply.status != 200:
        raise IssuerUnavailable(f"{url}: answered {reply.status}")
    try:
        document = json.loads(reply.body)
    except ValueError:
        raise IssuerUnavailable(f"{url}: not JSON") from None
    if not isinstance(document, dict):
        raise IssuerUnavailable(f"{url}: not a JSON object")
    return document


def _usable_keys(jwks: dict[str, Any]) -> dict[str, jwt.PyJWK]:
    keys: dict[str, jwt.PyJWK] = {}
    for raw in jwks.get("keys") or []:
        if not isinstance(raw, dict) or not isinstance(raw.get("kid"), str):
            continue
        if raw.get("use", "sig") != "sig" or raw.get("kty") not in {"RSA", "EC"}:
            continue  # encryption keys and symmetric keys never verify a signature here
        try:
            keys[raw["kid"]] = jwt.PyJWK(raw)
        except jwt.PyJWTError:
            continue
    return keys


def _discover(issuer: str) -> dict[str, jwt.PyJWK]:
    discovery = _fetch_json(f"{issuer.rstrip('/')}/.well-known/openid-configuration")
    if discovery.get("issuer") != issuer:
        raise IssuerUnavailable("the discovery document names another issuer")
    jwks_uri = discovery.get("jwks_uri")
    if not isinstance(jwks_uri, str) or not jwks_uri:
        raise IssuerUnavailable("the discovery document has no jwks_uri")
    return _usable_keys(_fetch_json(jwks_uri))


@dataclass
class _Entry:
    keys: dict[str, jwt.PyJWK] = field(default_factory=dict)
    fetched_at: float = 0.0


class IssuerKeyCache:
    """Each issuer's keys for this container: re-read when stale, or on an unknown kid (rate-limited)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}

    def key(self, issuer: str, kid: str) -> jwt.PyJWK | None:
        now = time.monotonic()
        entry = self._entries.get(issuer)
        if entry is None or now - entry.fetched_at >= JWKS_MAX_AGE_SECONDS:
            entry = self._refresh(issuer)
        key = entry.keys.get(kid)
        if key is None and now - entry.fetched_at >= UNKNOWN_KID_REFRESH_SECONDS:
            key = self._refresh(issuer).keys.get(kid)
        return key

    def _refresh(self, issuer: str) -> _Entry:
        entry = _Entry(keys=_discover(issuer), fetched_at=time.monotonic())
        with self._lock:
            self._entries[issuer] = entry
        return entry

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


issuer_keys = IssuerKeyCache()


def _check_key_type(key: jwt.PyJWK, alg: str) -> None:
    kty, crv = _KEY_TYPES[alg]
    if key.key_type != kty or (crv is not None and key._jwk_data.get("crv") != crv):
        raise InvalidIdToken(f"the key {key.key_id} cannot verify {alg}")
    declared = key._jwk_data.get("alg")
    if declared is not None and declared != alg:
        raise InvalidIdToken(f"the key {key.key_id} is for {declared}, not {alg}")


def verify(token: str, issuer: str, header: dict[str, Any]) -> dict[str, Any]:
    """The verified claims of an ID token of ``issuer``; InvalidIdToken or IssuerUnavailable otherwise."""
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise InvalidIdToken(f"alg {alg!r} is not accepted; use {' or '.join(ALGORITHMS)}")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise InvalidIdToken("the subject_token header has no kid")
    key = issuer_keys.key(issuer, kid)
    if key is None:
        raise InvalidIdToken(f"the issuer publishes no key {kid!r}")
    _check_key_type(key, alg)
    try:
        claims: dict[str, Any] = _decoder.decode(
            token,
            key=key.key,
            algorithms=[alg],
            issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": list(REQUIRED_CLAIMS), "verify_aud": False},
        )
    except jwt.PyJWTError as exc:
        raise InvalidIdToken(f"the subject_token is invalid: {exc}") from exc
    now = time.time()
    if int(claims["iat"]) > now + LEEWAY_SECONDS:
        raise InvalidIdToken("the subject_token was issued in the future")
    if int(claims["exp"]) - int(claims["iat"]) > MAX_LIFETIME_SECONDS:
        raise InvalidIdToken("the subject_token lives longer than 24 hours")
    if not isinstance(claims["jti"], str) or not claims["jti"]:
        raise InvalidIdToken("the subject_token has no jti")
    return claims

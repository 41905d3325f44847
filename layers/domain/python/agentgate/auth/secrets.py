"""Client ids and secrets: 256 bits of entropy, stored only as a hash, compared in constant time.

A secret drawn from 256 random bits cannot be brute-forced, so a fast hash is the right one here
(a slow password hash would only cost latency on every token request). The hash is prefixed with
its scheme so it can change without a migration.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

CLIENT_ID_PREFIX = "agc_"
CLIENT_SECRET_PREFIX = "ags_"
_SCHEME = "sha256"
# Compared against when the client is unknown, so a miss costs what a hit costs.
_UNMATCHABLE = f"{_SCHEME}:" + "0" * 64


_OWNER_SEPARATOR = "."  # never in a tenant or agent id, nor in token_urlsafe's alphabet


def new_client_id(tenant_id: str, agent_id: str) -> str:
    """``agc_<tenant id>.<agent id>.<128 random bits>``: naming its owner lets the token endpoint read
    the credential, the agent and the tenant in one BatchGetItem. Client ids are not secret."""
    return CLIENT_ID_PREFIX + _OWNER_SEPARATOR.join((tenant_id, agent_id, secrets.token_urlsafe(16)))


def client_id_owner(client_id: str) -> tuple[str, str] | None:
    """(tenant id, agent id) a client id names, or None (an older or foreign id: look it up).

    Only a hint for the read: the credential item stored under the id stays the authority.
    """
    if not client_id.startswith(CLIENT_ID_PREFIX):
        return None
    parts = client_id[len(CLIENT_ID_PREFIX) :].split(_OWNER_SEPARATOR)
    if len(parts) != 3 or not all(parts):
        return None
    return parts[0], parts[1]


def new_client_secret() -> str:
    return CLIENT_SECRET_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return f"{_SCHEME}:" + hashlib.sha256(secret.encode("utf-8")).hexdigest()


def secret_matches(secret: str, stored_hash: str | None) -> bool:
    """Constant-time comparison of ``secret`` with a stored hash (None never matches)."""
    candidate = hash_secret(secret)
    return hmac.compare_digest(candidate, stored_hash or _UNMATCHABLE) and stored_hash is not None

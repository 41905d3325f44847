"""The JSON Web Key Set: the public halves of the signing keys, read from KMS and cached.

Apart from ``services.oauth`` so the JWKS function does not import PyJWT.
"""

from __future__ import annotations

from agentgate.auth import keys
from agentgate.schemas.oauth import JwkSet


def key_set() -> JwkSet:
    """The current signing key and every previous key whose tokens may still be valid."""
    return JwkSet.model_validate({"keys": [key.jwk() for key in keys.key_set().published]})

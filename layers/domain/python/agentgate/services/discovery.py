"""Discovery metadata (RFC 8414 and OpenID Connect discovery): settings and constants only.

Kept apart from ``services.oauth`` (PyJWT, cryptography) so the two discovery functions start as
fast as a function that imports boto3 and pydantic alone.
"""

from __future__ import annotations

from agentgate.platform.settings import get_settings
from agentgate.schemas.oauth import (
    CLIENT_CREDENTIALS,
    SIGNING_ALGORITHM,
    TOKEN_EXCHANGE,
    AuthorizationServerMetadata,
)

AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


def metadata() -> AuthorizationServerMetadata:
    """RFC 8414 authorization server metadata (also the OpenID Connect discovery document)."""
    issuer = get_settings().issuer.rstrip("/")
    return AuthorizationServerMetadata(
        issuer=get_settings().issuer,
        token_endpoint=f"{issuer}/oauth2/token",
        jwks_uri=f"{issuer}/.well-known/jwks.json",
        introspection_endpoint=f"{issuer}/oauth2/introspect",
        revocation_endpoint=f"{issuer}/oauth2/revoke",
        grant_types_supported=[CLIENT_CREDENTIALS, TOKEN_EXCHANGE],
        token_endpoint_auth_methods_supported=AUTH_METHODS,
        introspection_endpoint_auth_methods_supported=AUTH_METHODS,
        revocation_endpoint_auth_methods_supported=AUTH_METHODS,
        response_types_supported=["token"],
        subject_types_supported=["public"],
        id_token_signing_alg_values_supported=[SIGNING_ALGORITHM],
        claims_supported=[
            "iss",
            "sub",
            "aud",
            "exp",
            "iat",
            "nbf",
            "jti",
            "client_id",
            "scope",
            "tenant_id",
            "act",
            "trust_policy_id",
        ],
        service_documentation=f"{issuer}/openapi.json",
    )

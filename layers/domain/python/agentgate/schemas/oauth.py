"""OAuth 2.0 / OIDC shapes: form requests (RFC 6749, 7662, 7009, 8693), token responses, metadata, JWKS."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_serializer

from agentgate.schemas.common import ResponseModel

CLIENT_CREDENTIALS = "client_credentials"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
SIGNING_ALGORITHM = "ES256"  # access tokens: ECDSA P-256 with SHA-256, signed in KMS
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"


class OAuthForm(BaseModel):
    """A form body: unknown parameters are ignored (RFC 6749 §3.2), values are bounded."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class TokenRequest(OAuthForm):
    grant_type: str = Field(max_length=200)
    scope: str | None = Field(default=None, max_length=2000)
    audience: str | None = Field(default=None, max_length=256, pattern=r"^[\x21-\x7e]+$")
    # RFC 8707: the protected resource the token is for (its ``aud``), one of the agent's audiences.
    resource: str | None = Field(default=None, max_length=512)
    client_id: str | None = Field(default=None, max_length=200)
    client_secret: str | None = Field(default=None, max_length=200)
    # RFC 8693 token exchange
    subject_token: str | None = Field(default=None, max_length=8192)
    subject_token_type: str | None = Field(default=None, max_length=200)
    actor_token: str | None = Field(default=None, max_length=8192)
    actor_token_type: str | None = Field(default=None, max_length=200)
    requested_token_type: str | None = Field(default=None, max_length=200)


class TokenResponse(ResponseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int
    scope: str
    issued_token_type: str | None = None

    @model_serializer(mode="wrap")
    def _drop_none(self, handler: Any) -> dict[str, Any]:
        return {k: v for k, v in handler(self).items() if v is not None}


class IntrospectionRequest(OAuthForm):
    token: str = Field(max_length=8192)
    token_type_hint: str | None = Field(default=None, max_length=100)
    client_id: str | None = Field(default=None, max_length=200)
    client_secret: str | None = Field(default=None, max_length=200)


class Introspection(ResponseModel):
    """RFC 7662 §2.2: an inactive token answers ``{"active": false}`` and nothing else."""

    active: bool
    sub: str | None = None
    client_id: str | None = None
    scope: str | None = None
    token_type: str | None = None
    exp: int | None = None
    iat: int | None = None
    nbf: int | None = None
    iss: str | None = None
    aud: str | list[str] | None = None
    jti: str | None = None
    tenant_id: str | None = None
    agent_id: str | None = None
    act: dict[str, Any] | None = None

    @model_serializer(mode="wrap")
    def _drop_none(self, handler: Any) -> dict[str, Any]:
        return {k: v for k, v in handler(self).items() if v is not None}


class RevocationRequest(OAuthForm):
    token: str = Field(max_length=8192)
    token_type_hint: str | None = Field(default=None, max_length=100)
    client_id: str | None = Field(default=None, max_length=200)
    client_secret: str | None = Field(default=None, max_length=200)


class Revocation(ResponseModel):
    """RFC 7009 §2.2: the body is empty; clients ignore it."""


class AuthorizationServerMetadata(ResponseModel):
    """RFC 8414 metadata, also served as the OpenID Connect discovery document."""

    issuer: str
    token_endpoint: str
    jwks_uri: str
    introspection_endpoint: str
    revocation_endpoint: str
    grant_types_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    introspection_endpoint_auth_methods_supported: list[str]
    revocation_endpoint_auth_methods_supported: list[str]
    response_types_supported: list[str]
    subject_types_supported: list[str]
    id_token_signing_alg_values_supported: list[str]
    claims_supported: list[str]
    service_documentation: str


class Jwk(ResponseModel):
    kty: Literal["EC"]
    crv: Literal["P-256"]
    x: str
    y: str
    kid: str
    alg: Literal["ES256"]
    use: Literal["sig"]


class JwkSet(ResponseModel):
    keys: list[Jwk]

"""The table of routes: the single source of truth for the API.

One row per method and path: the handler module under ``functions/``, who may call
it, the minimum role for users or the scopes for API keys and agents, and the AWS
permissions its function needs. CDK builds one Lambda per row, the local gateway
routes with it, the resolver enforces it and the OpenAPI document is generated
from it and the pydantic models it names.

Models are named as ``"module:Class"`` strings under ``agentgate.schemas`` so that
reading this table costs nothing at import time; only the OpenAPI generator loads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from agentgate.platform.tenancy import Caller, Role

PUBLIC = frozenset({Caller.PUBLIC})
USER = frozenset({Caller.USER})
USER_OR_APIKEY = frozenset({Caller.USER, Caller.APIKEY})
AGENT = frozenset({Caller.AGENT})
AGENT_OR_APIKEY = frozenset({Caller.AGENT, Caller.APIKEY})
USER_OR_AGENT = frozenset({Caller.USER, Caller.AGENT})

# Permissions a function may be granted (CDK turns each into IAM statements).
TABLE_READ = "table:read"
TABLE_WRITE = "table:write"
RUNS_STREAM = "stream:runs"
ANALYTICS_STREAM = "stream:analytics"
KMS_SIGN = "kms:sign"
KMS_PUBLIC_KEY = "kms:public-key"
COGNITO = "cognito"
APPROVALS = "states:approvals"
WEBHOOK_QUEUE = "queue:webhooks"
API_KEYS = "apigateway:api-keys"
HEALTH_PROBES = "health:probes"
GRANTS = frozenset(
    {
        TABLE_READ,
        TABLE_WRITE,
        RUNS_STREAM,
        ANALYTICS_STREAM,
        KMS_SIGN,
        KMS_PUBLIC_KEY,
        COGNITO,
        APPROVALS,
        WEBHOOK_QUEUE,
        API_KEYS,
        HEALTH_PROBES,
    }
)


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: str
    callers: frozenset[Caller]
    summary: str
    tag: str
    role: Role | None = None  # minimum role for users
    scopes: tuple[str, ...] = ()  # all required, for API keys
    agent_scopes: tuple[str, ...] = ()  # all required, for agents
    grants: frozenset[str] = frozenset()
    request_model: str | None = None
    query_model: str | None = None
    response_model: str | None = None
    status: int = 200
    content_type: str = "application/json"
    form_encoded: bool = False

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def is_public(self) -> bool:
        return Caller.PUBLIC in self.callers

    @property
    def writes(self) -> bool:
        return TABLE_WRITE in self.grants


R = Route
READ = frozenset({TABLE_READ})
WRITE = frozenset({TABLE_READ, TABLE_WRITE})

ROUTES: tuple[Route, ...] = (
    # --- health, discovery, tiers -------------------------------------------------------------
    R("GET", "/health", "health", PUBLIC, "Liveness", "health", response_model="health:Health"),
    R(
        "GET",
        "/health/detailed",
        "health_detailed",
        PUBLIC,
        "Each dependency's status and latency",
        "health",
        grants=frozenset({TABLE_READ, HEALTH_PROBES}),
        response_model="health:DetailedHealth",
    ),
    R("GET", "/openapi.json", "openapi_document", PUBLIC, "This document", "health"),
    R(
        "GET",
        "/api/v1/tiers",
        "tiers_list",
        PUBLIC,
        "The tier table",
        "billing",
        response_model="tiers:TierList",
    ),
    # --- identity (issue: identity and access) -----------------------------------------------
    # identity: OAuth 2.0 / OIDC (public: these endpoints authenticate the client themselves)
    R(
        "GET",
        "/.well-known/openid-configuration",
        "wellknown_openid_configuration",
        PUBLIC,
        "OpenID Connect discovery document",
        "oauth",
        response_model="oauth:AuthorizationServerMetadata",
    ),
    R(
        "GET",
        "/.well-known/oauth-authorization-server",
        "wellknown_oauth_authorization_server",
        PUBLIC,
        "OAuth 2.0 authorization server metadata (RFC 8414)",
        "oauth",
        response_model="oauth:AuthorizationServerMetadata",
    ),
    R(
        "GET",
        "/.well-known/jwks.json",
        "wellknown_jwks",
        PUBLIC,
        "Public token-signing keys: current and, during a rotation, previous",
        "oauth",
        grants=frozenset({TABLE_READ, KMS_PUBLIC_KEY}),
        response_model="oauth:JwkSet",
    ),
    R(
        "POST",
        "/oauth2/token",
        "oauth_token",
        PUBLIC,
        "Issue an access token (client_credentials, token exchange for agent delegation)",
        "oauth",
        grants=frozenset({TABLE_READ, KMS_SIGN, KMS_PUBLIC_KEY, ANALYTICS_STREAM}),
        request_model="oauth:TokenRequest",
        response_model="oauth:TokenResponse",
        form_encoded=True,
    ),
    R(
        "POST",
        "/oauth2/introspect",
        "oauth_introspect",
        PUBLIC,
        "Token introspection (RFC 7662); a client or an API key (agents:read)",
        "oauth",
        grants=frozenset({TABLE_READ, TABLE_WRITE, KMS_PUBLIC_KEY}),
        request_model="oauth:IntrospectionRequest",
        response_model="oauth:Introspection",
        form_encoded=True,
    ),
    R(
        "POST",
        "/oauth2/revoke",
        "oauth_revoke",
        PUBLIC,
        "Token revocation (RFC 7009); a client or an API key (agents:control)",
        "oauth",
        grants=frozenset({TABLE_READ, TABLE_WRITE, KMS_PUBLIC_KEY}),
        request_model="oauth:RevocationRequest",
        response_model="oauth:Revocation",
        form_encoded=True,
    ),
    # identity: agent credentials
    R(
        "POST",
        "/api/v1/agents/{id}/credentials",
        "credentials_create",
        USER_OR_APIKEY,
        "Create the agent's client credentials, or rotate them (the previous secret stays valid for a grace period)",
        "agents",
        role=Role.MEMBER,
        scopes=("agents:write",),
        grants=WRITE,
        request_model="credentials:CreateCredential",
        response_model="credentials:IssuedCredential",
        status=201,
    ),
    R(
        "GET",
        "/api/v1/agents/{id}/credentials",
        "credentials_list",
        USER_OR_APIKEY,
        "The agent's credentials, never with a secret",
        "agents",
        role=Role.VIEWER,
        scopes=("agents:read",),
        grants=READ,
        query_model="common:PageQuery",
        response_model="credentials:CredentialPage",
    ),
    R(
        "DELETE",
        "/api/v1/agents/{id}/credentials/{credential_id}",
        "credentials_revoke",
        USER_OR_APIKEY,
        "Revoke a credential at once",
        "agents",
        role=Role.MEMBER,
        scopes=("agents:write",),
        grants=WRITE,
        status=204,
    ),
    # --- runs, costs, budgets, analytics -------------------------------------------------------
    # --- governance -----------------------------------------------------------------------------
)


@lru_cache(maxsize=1)
def routes_by_key() -> dict[str, Route]:
    return {route.key: route for route in ROUTES}


def find_route(method: str, resource: str) -> Route | None:
    """The row for an API Gateway ``httpMethod`` and ``resource`` (the path template)."""
    return routes_by_key().get(f"{method.upper()} {resource}")

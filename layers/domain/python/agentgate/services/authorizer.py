"""The one REQUEST authorizer: agent access tokens, tenant API keys and Cognito user tokens.

Agent tokens are verified with the cached public keys (no KMS call per request); their agent,
tenant and jti are read in one BatchGetItem, memoised for ``STATE_CACHE_SECONDS``. An API key or a
user is one GetItem of its lookup, which carries the tenant's tier, usage-plan key and status
(``agentgate.data.principals`` keeps them in step). A credential
that is missing, malformed, forged, expired, revoked or unknown is a 401 (API Gateway's answer to
``Exception("Unauthorized")``); a paused agent, or a paused tenant for agents and API keys, gets an
explicit Deny (403). Users keep access to a paused tenant so an admin can resume it.
See docs/authorizer.md for how fast a pause takes effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jwt

from agentgate.auth import tokens
from agentgate.auth.http import API_KEY_PREFIX
from agentgate.auth.state import PAUSED, state_cache
from agentgate.platform.settings import get_settings
from agentgate.platform.tenancy import Caller, Principal, TenantContext, authorizer_context

COGNITO_ALGORITHM = "RS256"
# Cognito's JWKS changes rarely: keep it an hour, refetch on an unknown kid (PyJWKClient does).
COGNITO_JWKS_LIFESPAN_SECONDS = 3600
MAX_TOKEN_LENGTH = 8192


class Unauthenticated(Exception):
    """No usable credential: the handler answers API Gateway's 401."""


@dataclass(frozen=True)
class Decision:
    ctx: TenantContext
    allow: bool
    usage_key: str | None
    reason: str = ""


def _bearer(event: dict[str, Any]) -> str:
    headers = event.get("headers") or {}
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), None) or ""
    scheme, _, token = value.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        raise Unauthenticated("no bearer credential")
    return token


def _agent_decision(token: str, header: dict[str, Any] | None = None) -> Decision:
    try:
        verified = tokens.verify(token, header=header)
    except tokens.InvalidToken as exc:
        raise Unauthenticated(str(exc)) from exc
    claims = verified.claims
    tenant_id, agent_id, jti = str(claims["tenant_id"]), str(claims["sub"]), str(claims["jti"])
    state = state_cache.get(tenant_id, agent_id, jti)
    agent = state.agent(agent_id)
    if state.revoked or agent is None or state.tenant is None:
        raise Unauthenticated("token revoked, or its agent or tenant is gone")
    ctx = TenantContext(
        tenant_id=tenant_id,
        principal=Principal(
            kind=Caller.AGENT,
            id=agent_id,
            scopes=verified.scopes,
            agent_id=agent_id,
            team=agent.team,
            token_id=jti,
        ),
        tier=state.tenant.tier,
    )
    paused = "tenant paused" if state.tenant_paused else "agent paused" if agent.status == PAUSED else ""
    return Decision(ctx=ctx, allow=not paused, usage_key=state.tenant.usage_key, reason=paused)


def _api_key_decision(token: str) -> Decision:
    """One GetItem: the key's lookup carries its tenant's tier, usage-plan key and status."""
    from agentgate.services import api_keys

    found = api_keys.authenticate_key(token)
    if found is None:
        raise Unauthenticated("unknown API key")
    paused = found.facts.status == PAUSED
    return Decision(
        ctx=found.ctx,
        allow=not paused,
        usage_key=found.facts.usage_key,
        reason="tenant paused" if paused else "",
    )


@lru_cache(maxsize=4)
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=COGNITO_JWKS_LIFESPAN_SECONDS)


def verify_user_token(token: str) -> dict[str, Any]:
    """A Cognito access or ID token verified against the user pool's JWKS (address from settings)."""
    settings = get_settings()
    if not settings.cognito_jwks_url:
        raise Unauthenticated("user tokens are not configured")
    try:
        signing_key = _jwks_client(settings.cognito_jwks_url).get_signing_key_from_jwt(token)
        claims: dict[str, Any] = jwt.decode(
            token,
            signing_key.key,
            algorithms=[COGNITO_ALGORITHM],
            issuer=(
                f"https://cognito-idp.{settings.region}.amazonaws.com/{settings.user_pool_id}"
                if settings.user_pool_id
                else None
            ),
            leeway=tokens.LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "sub", "iss", "token_use"], "verify_aud": False},
        )
    except jwt.PyJWTError as exc:
        raise Unauthenticated(f"user token: {exc}") from exc
    token_use = claims.get("token_use")
    audience = claims.get("client_id") if token_use == "access" else claims.get("aud")
    if token_use not in {"access", "id"}:
        raise Unauthenticated("not a Cognito access or ID token")
    if settings.user_pool_client_id and audience != settings.user_pool_client_id:
        raise Unauthenticated("user token for another app client")
    return claims


def _user_decision(token: str) -> Decision:
    claims = verify_user_token(token)
    from agentgate.services import members

    resolved = members.resolve_user(str(claims["sub"]), claims.get("email"))  # one GetItem
    if resolved is None:
        raise Unauthenticated("the user belongs to no tenant")
    return Decision(ctx=resolved.ctx, allow=True, usage_key=resolved.facts.usage_key)


def decide(token: str) -> Decision:
    """Which kind of credential this is, and what it may do."""
    if token.startswith(API_KEY_PREFIX):
        return _api_key_decision(token)
    try:
        header = tokens.peek_header(token)
    except tokens.InvalidToken as exc:
        raise Unauthenticated("malformed token") from exc
    if header.get("alg") == COGNITO_ALGORITHM:
        return _user_decision(token)
    return _agent_decision(token, header)  # refuses every algorithm but ES256


def _api_arn(method_arn: str) -> str:
    """``arn:...:<api_id>/<stage>/<verb>/<path>`` -> ``.../<stage>/*``: a cached policy covers every route."""
    arn_prefix, _, path = method_arn.partition("/")
    stage = path.split("/", 1)[0]
    return f"{arn_prefix}/{stage}/*"


def authorize(event: dict[str, Any]) -> dict[str, Any]:
    """The REQUEST authorizer's answer; raises Unauthenticated for a 401."""
    decision = decide(_bearer(event))
    response: dict[str, Any] = {
        "principalId": f"{decision.ctx.principal.kind.value}:{decision.ctx.principal.id}",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "execute-api:Invoke",
                    "Effect": "Allow" if decision.allow else "Deny",
                    "Resource": _api_arn(str(event.get("methodArn", ""))),
                }
            ],
        },
        "context": {**authorizer_context(decision.ctx), "deny_reason": decision.reason},
    }
    if decision.usage_key:
        response["usageIdentifierKey"] = decision.usage_key
    return response

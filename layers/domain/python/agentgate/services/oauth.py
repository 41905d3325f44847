"""The OAuth 2.0 authorization server: token grants, introspection, revocation, metadata and JWKS.

Grants: ``client_credentials`` (RFC 6749 §4.4) and token exchange (RFC 8693) in two forms. With
client authentication it is agent-to-agent delegation: the subject token is an access token of an
agent of the same tenant, the authenticated client is the actor, the new token carries ``act`` and
the scopes both agents hold. Without it, the subject token is an external OIDC ID token (GitHub
Actions, GitLab CI, Kubernetes...) exchanged under a trust policy (``services.federation``). An
unacceptable subject token is answered ``invalid_request``, as RFC 8693 §2.2.2 prescribes.

Every grant takes ``resource`` (RFC 8707) or ``audience``: the token's ``aud`` becomes that value if
the agent lists it in its ``audiences`` (else ``invalid_target``). Nothing is written and nothing
issued on an error.
"""

from __future__ import annotations

import re
import secrets
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from agentgate.auth import tokens
from agentgate.auth.errors import (
    InvalidClient,
    OAuthError,
    invalid_request,
    invalid_scope,
    invalid_target,
    unsupported_grant_type,
)
from agentgate.auth.http import PresentedCaller, PresentedClient
from agentgate.auth.state import PrincipalState, load_state
from agentgate.data.lookups import put_global
from agentgate.data.tenant import system_data
from agentgate.models import AgentItem, CredentialItem, RevokedTokenItem
from agentgate.platform.settings import get_settings
from agentgate.platform.tenancy import ADMIN_SCOPE
from agentgate.schemas.oauth import (
    ACCESS_TOKEN_TYPE,
    CLIENT_CREDENTIALS,
    ID_TOKEN_TYPE,
    JWT_TOKEN_TYPE,
    TOKEN_EXCHANGE,
    Introspection,
    IntrospectionRequest,
    RevocationRequest,
    TokenRequest,
    TokenResponse,
)
from agentgate.services.credentials import authenticate_client, authenticate_client_with_state

# RFC 6749 §3.3 scope-token characters.
_SCOPE_TOKEN = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]+$")
SUBJECT_TOKEN_TYPES = frozenset({ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE})
# Each delegation nests one ``act``; bounded so a token stays small enough to sign.
MAX_DELEGATION_DEPTH = 4
INTROSPECT_SCOPES = frozenset({ADMIN_SCOPE, "agents:read"})
REVOKE_SCOPES = frozenset({ADMIN_SCOPE, "agents:control"})


def _paused(description: str) -> OAuthError:
    # The contract answers 403 to a paused agent or tenant, on every call including this one.
    return OAuthError("unauthorized_client", description, status=403)


def _scopes(raw: str | None) -> set[str] | None:
    if raw is None:
        return None
    requested = set(raw.split())
    if not requested or not all(_SCOPE_TOKEN.match(s) for s in requested):
        raise invalid_scope("The scope parameter is malformed.")
    return requested


def _granted_scope(requested: set[str] | None, allowed: set[str]) -> str:
    if requested is None:
        return " ".join(sorted(allowed))
    excess = requested - allowed
    if excess:
        raise invalid_scope(f"Scope not allowed for this client: {' '.join(sorted(excess))}.")
    return " ".join(sorted(requested))


def _record_issued(tenant_id: str, agent_id: str, client_id: str, grant_type: str) -> None:
    from agentgate.services.analytics_batch import issued_tokens

    # Batched: one PutRecords per container per second at most, not one PutRecord per token.
    issued_tokens.add(
        tenant_id, "token_issued", agent_id=agent_id, client_id=client_id, grant_type=grant_type
    )


def _target_problem(resource: str) -> str | None:
    """RFC 8707 §2: an absolute URI without a fragment."""
    parts = urlsplit(resource)
    if not parts.scheme or not (parts.netloc or parts.path) or parts.fragment or "#" in resource:
        return "must be an absolute URI without a fragment"
    return None


def _audience(request: TokenRequest, agent: AgentItem) -> str:
    """The token's ``aud``: the requested resource or audience if the agent lists it, else the default."""
    default = get_settings().token_audience
    if request.resource and request.audience and request.resource != request.audience:
        raise invalid_request("resource and audience name different targets; send one.")
    wanted = request.resource or request.audience
    if wanted is None:
        return default
    if request.resource:
        problem = _target_problem(request.resource)
        if problem:
            raise invalid_target(f"resource {problem}.")
    if wanted != default and wanted not in set(agent.audiences or ()):
        raise invalid_target(f"{wanted} is not one of the agent's audiences.")
    return wanted


def _client_state(
    credential: CredentialItem,
    extra_agents: tuple[str, ...] = (),
    jti: str | None = None,
    state: PrincipalState | None = None,
) -> tuple[PrincipalState, AgentItem]:
    if state is None:
        state = load_state(credential.tenant_id, (credential.agent_id, *extra_agents), jti)
    agent = state.agent(credential.agent_id)
    if agent is None or state.tenant is None:
        raise InvalidClient()  # the agent (or tenant) was deleted: its credential died with it
    if state.tenant_paused:
        raise _paused("The tenant is paused.")
    if agent.status == "paused":
        raise _paused("The agent is paused.")
    return state, agent


def _issue(
    claims: dict[str, Any], ttl: int, scope: str, issued_token_type: str | None = None
) -> TokenResponse:
    access_token = tokens.sign(claims)
    return TokenResponse(
        access_token=access_token, expires_in=ttl, scope=scope, issued_token_type=issued_token_type
    )


def _base_claims(
    tenant_id: str, sub: str, client_id: str, audience: str | None, scope: str, exp: int
) -> dict[str, Any]:
    settings = get_settings()
    now = int(time.time())
    return {
        "iss": settings.issuer,
        "sub": sub,
        "aud": audience or settings.token_audience,
        "exp": exp,
        "iat": now,
        "nbf": now,
        "jti": secrets.token_urlsafe(16),
        "client_id": client_id,
        "scope": scope,
        "tenant_id": tenant_id,
    }


def _client_credentials(request: TokenRequest, presented: PresentedClient) -> TokenResponse:
    credential, state = authenticate_client_with_state(presented)  # one BatchGetItem
    requested = _scopes(request.scope)
    _, agent = _client_state(credential, state=state)
    scope = _granted_scope(requested, set(agent.scopes or ()))
    ttl = get_settings().access_token_ttl_seconds
    claims = _base_claims(
        credential.tenant_id,
        agent.agent_id,
        credential.client_id,
        _audience(request, agent),
        scope,
        int(time.time()) + ttl,
    )
    response = _issue(claims, ttl, scope)
    _record_issued(credential.tenant_id, agent.agent_id, credential.client_id, CLIENT_CREDENTIALS)
    return response


def _delegation_depth(act: Any) -> int:
    depth = 0
    while isinstance(act, dict):
        depth += 1
        act = act.get("act")
    return depth


def _token_exchange(request: TokenRequest, presented: PresentedClient) -> TokenResponse:
    credential = authenticate_client(presented)
    if not request.subject_token or not request.subject_token_type:
        raise invalid_request("subject_token and subject_token_type are required.")
    if request.subject_token_type not in SUBJECT_TOKEN_TYPES:
        raise invalid_request(
            f"subject_token_type {request.subject_token_type!r} is not supported with client "
            f"authentication; use {ACCESS_TOKEN_TYPE} "
            "(an ID token is exchanged without client authentication)."
        )
    if request.actor_token or request.actor_token_type:
        raise invalid_request("actor_token is not accepted: the authenticated client is the actor.")
    if request.requested_token_type not in (None, ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE):
        raise invalid_request(f"requested_token_type {request.requested_token_type!r} is not supported.")
    requested = _scopes(request.scope)
    try:
        subject = tokens.verify(request.subject_token)
    except tokens.InvalidToken:
        raise invalid_request("The subject_token is invalid or expired.") from None
    claims = subject.claims
    if claims["tenant_id"] != credential.tenant_id:
        raise invalid_request("The subject_token is invalid or expired.")
    if _delegation_depth(claims.get("act")) >= MAX_DELEGATION_DEPTH:
        raise invalid_request("The delegation chain is too long.")
    subject_agent_id = str(claims["sub"])
    state, actor = _client_state(credential, (subject_agent_id,), str(claims["jti"]))
    subject_agent = state.usable_agent(subject_agent_id)
    if state.revoked or subject_agent is None:
        raise invalid_request("The subject_token is revoked or its agent is paused or gone.")
    scope = _granted_scope(requested, set(subject.scopes) & set(actor.scopes or ()))
    if not scope:
        raise invalid_scope("The subject token and the actor have no scope in common.")
    audience = _audience(request, subject_agent)
    settings = get_settings()
    now = int(time.time())
    exp = min(now + settings.access_token_ttl_seconds, int(claims["exp"]))
    act: dict[str, Any] = {"sub": actor.agent_id, "client_id": credential.client_id}
    if "act" in claims:
        act["act"] = claims["act"]
    new_claims = _base_claims(
        credential.tenant_id, subject_agent_id, credential.client_id, audience, scope, exp
    )
    new_claims["act"] = act
    response = _issue(new_claims, exp - now, scope, ACCESS_TOKEN_TYPE)
    _record_issued(credential.tenant_id, subject_agent_id, credential.client_id, TOKEN_EXCHANGE)
    return response


def _federated_exchange(request: TokenRequest) -> TokenResponse:
    """An external ID token for a token of the agent its one matching trust policy names."""
    from agentgate.services import federation

    if not request.subject_token or not request.subject_token_type:
        raise invalid_request("subject_token and subject_token_type are required.")
    if request.subject_token_type not in federation.FEDERATED_SUBJECT_TOKEN_TYPES:
        raise invalid_request(
            f"subject_token_type {request.subject_token_type!r} is not supported without client "
            f"authentication; use {ID_TOKEN_TYPE} or {JWT_TOKEN_TYPE}."
        )
    if request.actor_token or request.actor_token_type:
        raise invalid_request("actor_token is not accepted.")
    if request.requested_token_type not in (None, ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE):
        raise invalid_request(f"requested_token_type {request.requested_token_type!r} is not supported.")
    requested = _scopes(request.scope)
    federated = federation.verify_subject_token(request.subject_token)
    policy = federated.policy
    state = load_state(policy.tenant_id, [policy.agent_id])
    agent = state.agent(policy.agent_id)
    if agent is None or state.tenant is None:
        raise invalid_request("The trust policy's agent no longer exists.")
    if state.tenant_paused:
        raise _paused("The tenant is paused.")
    if agent.status == "paused":
        raise _paused("The agent is paused.")
    scope = _granted_scope(requested, set(policy.scopes or ()) & set(agent.scopes or ()))
    if not scope:
        raise invalid_scope("The trust policy and its agent have no scope in common.")
    audience = _audience(request, agent)
    federation.spend(federated)
    ttl = min(get_settings().access_token_ttl_seconds, federated.max_ttl_seconds or 10**9)
    claims = _base_claims(
        policy.tenant_id, agent.agent_id, federated.client_id, audience, scope, int(time.time()) + ttl
    )
    claims["act"] = federated.act
    claims["trust_policy_id"] = policy.policy_id
    response = _issue(claims, ttl, scope, ACCESS_TOKEN_TYPE)
    federation.record_exchange(federated, scope=scope, aud=audience, jti=str(claims["jti"]))
    _record_issued(policy.tenant_id, agent.agent_id, federated.client_id, TOKEN_EXCHANGE)
    return response


def grant_token(request: TokenRequest, presented: PresentedClient | None) -> TokenResponse:
    """Run the grant; every refusal is an RFC 6749 error.

    A token exchange without client authentication is federation (the subject token is the
    credential); every other request authenticates its client first.
    """
    if request.grant_type == TOKEN_EXCHANGE and presented is None:
        return _federated_exchange(request)
    if presented is None:
        raise InvalidClient("Client authentication is required.")
    if request.grant_type == CLIENT_CREDENTIALS:
        return _client_credentials(request, presented)
    if request.grant_type == TOKEN_EXCHANGE:
        return _token_exchange(request, presented)
    authenticate_client(presented)  # an unknown client learns nothing about the grants we support
    raise unsupported_grant_type(request.grant_type)


def _caller_tenant(caller: PresentedCaller, scopes: frozenset[str]) -> tuple[str, str, CredentialItem | None]:
    """(tenant id, actor, credential) of an introspection or revocation caller."""
    if caller.client is not None:
        credential = authenticate_client(caller.client)
        return credential.tenant_id, f"client:{credential.client_id}", credential
    from agentgate.services import api_keys

    ctx = api_keys.authenticate(caller.api_key or "")
    if ctx is None:
        raise InvalidClient("The API key is invalid.")
    if not ctx.principal.scopes & scopes:
        raise OAuthError(
            "insufficient_scope", f"The API key needs one of: {' '.join(sorted(scopes))}.", status=403
        )
    return ctx.tenant_id, f"apikey:{ctx.principal.id}", None


def introspect(request: IntrospectionRequest, caller: PresentedCaller) -> Introspection:
    """RFC 7662: active only for a valid token of the caller's tenant, its agent and tenant not paused."""
    tenant_id, _, _ = _caller_tenant(caller, INTROSPECT_SCOPES)
    inactive = Introspection(active=False)
    try:
        verified = tokens.verify(request.token, verify_audience=False)
    except tokens.InvalidToken:
        return inactive
    claims = verified.claims
    if claims["tenant_id"] != tenant_id:
        return inactive
    state = load_state(tenant_id, [str(claims["sub"])], str(claims["jti"]))
    if state.revoked or state.usable_agent(str(claims["sub"])) is None:
        return inactive
    return Introspection(
        active=True,
        token_type="Bearer",
        sub=claims["sub"],
        agent_id=claims["sub"],
        client_id=claims["client_id"],
        scope=claims.get("scope", ""),
        exp=claims["exp"],
        iat=claims["iat"],
        nbf=claims["nbf"],
        iss=claims["iss"],
        aud=claims["aud"],
        jti=claims["jti"],
        tenant_id=claims["tenant_id"],
        act=claims.get("act"),
    )


def revoke(request: RevocationRequest, caller: PresentedCaller) -> None:
    """RFC 7009: the jti is refused until the token's own expiry; an invalid or foreign token is a no-op.

    A client may revoke tokens issued to it or to its agent; an API key (agents:control) any of its tenant's.
    """
    tenant_id, actor, credential = _caller_tenant(caller, REVOKE_SCOPES)
    try:
        verified = tokens.verify(request.token, verify_audience=False)
    except tokens.InvalidToken:
        return
    claims = verified.claims
    if claims["tenant_id"] != tenant_id:
        return
    if (
        credential is not None
        and credential.client_id != claims["client_id"]
        and credential.agent_id != claims["sub"]
    ):
        return
    revoked = RevokedTokenItem(
        RevokedTokenItem.pk_for(str(claims["jti"])),
        RevokedTokenItem.SK,
        jti=str(claims["jti"]),
        tenant_id=tenant_id,
        agent_id=str(claims["sub"]),
        revoked_at=datetime.now(UTC),
        expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
    )
    system_data(tenant_id, actor).record(
        lambda: put_global(revoked),
        action="token.revoked",
        target=f"agent:{claims['sub']}",
        details={"jti": claims["jti"], "client_id": claims["client_id"]},
    )

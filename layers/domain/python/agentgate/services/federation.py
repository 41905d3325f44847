"""Token exchange for external ID tokens (RFC 8693): a workload's OIDC token becomes an agent token.

No client authenticates: the subject token is the credential. Its issuer must be named by a trust
policy of some tenant (an unknown issuer is refused before anything is fetched); its signature,
``iss``, ``exp``, ``nbf`` and ``iat`` are checked against the issuer's published keys
(``agentgate.auth.oidc``); every policy of the issuer is evaluated and exactly one must match; the
token's ``jti`` is then spent (a conditional put: a replay is refused). The answer is an access
token of the policy's agent whose ``act`` claim names the issuer and subject it was exchanged for,
and ``trust_policy_id`` the policy. Each exchange is audited with the matched policy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from agentgate.auth import oidc
from agentgate.auth.errors import OAuthError, invalid_request
from agentgate.data.lookups import put_global
from agentgate.models import FederatedJtiItem, TrustPolicyItem
from agentgate.platform.errors import Conflict
from agentgate.platform.observability import logger
from agentgate.schemas.oauth import ID_TOKEN_TYPE, JWT_TOKEN_TYPE
from agentgate.services import audit, trust_policies

FEDERATED_SUBJECT_TOKEN_TYPES = frozenset({ID_TOKEN_TYPE, JWT_TOKEN_TYPE})
# Claims copied into the audit entry when the token has them (GitHub Actions names them so).
AUDITED_CLAIMS = (
    "repository",
    "repository_id",
    "repository_owner_id",
    "ref",
    "environment",
    "workflow_ref",
    "job_workflow_ref",
    "sha",
    "run_id",
)


def _refused(description: str) -> OAuthError:
    return invalid_request(description)


def _matching_policy(issuer: str, claims: dict[str, Any]) -> TrustPolicyItem:
    matched = [
        item for item in trust_policies.policies_of_issuer(issuer) if trust_policies.matches(item, claims)
    ]
    if not matched:
        raise _refused("No trust policy matches the subject_token's audience and claims.")
    if len(matched) > 1:
        raise _refused(
            f"{len(matched)} trust policies match the subject_token; exactly one must. "
            "Narrow the policies (audience, ref, environment)."
        )
    return matched[0]


def _spend_jti(issuer: str, claims: dict[str, Any], tenant_id: str) -> None:
    digest = hashlib.sha256(f"{issuer}\n{claims['jti']}".encode()).hexdigest()
    item = FederatedJtiItem(
        FederatedJtiItem.pk_for(digest),
        FederatedJtiItem.SK,
        issuer=issuer,
        tenant_id=tenant_id,
        used_at=datetime.now(UTC),
        # Kept until the token itself expires (plus the skew): after that it is refused anyway.
        expires_at=datetime.fromtimestamp(int(claims["exp"]) + oidc.LEEWAY_SECONDS, UTC),
    )
    try:
        put_global(item, FederatedJtiItem.pk.does_not_exist(), or_raise=Conflict("jti already used"))
    except Conflict:
        raise _refused("The subject_token was already exchanged (its jti is accepted once).") from None


@dataclass(frozen=True)
class Federated:
    """An ID token that verified and the one trust policy it matched."""

    issuer: str
    claims: dict[str, Any]
    policy: TrustPolicyItem

    @property
    def client_id(self) -> str:
        """There is no client: the trust policy stands in for it."""
        return f"trust_policy:{self.policy.policy_id}"

    @property
    def act(self) -> dict[str, str]:
        return {"iss": self.issuer, "sub": str(self.claims["sub"])}

    @property
    def max_ttl_seconds(self) -> int | None:
        ttl = self.policy.max_token_ttl_seconds
        return int(ttl) if ttl else None


def verify_subject_token(token: str) -> Federated:
    """Verify an external ID token and find its one trust policy; RFC 6749 errors otherwise."""
    try:
        issuer, header = oidc.unverified_issuer(token)
    except oidc.InvalidIdToken as exc:
        raise _refused(str(exc)) from None
    if next(iter(trust_policies.policies_of_issuer(issuer)), None) is None:
        # Nothing is fetched for an issuer no tenant trusts.
        raise _refused(f"The issuer {issuer} is not trusted by any trust policy.")
    try:
        claims = oidc.verify(token, issuer, header)
    except oidc.InvalidIdToken as exc:
        raise _refused(str(exc)) from None
    except oidc.IssuerUnavailable as exc:
        logger.warning("issuer unusable", extra={"issuer": issuer, "reason": str(exc)})
        raise _refused(f"The issuer's keys could not be used: {exc}") from None
    return Federated(issuer=issuer, claims=claims, policy=_matching_policy(issuer, claims))


def spend(federated: Federated) -> None:
    """Accept the token's jti once: a replay is refused."""
    _spend_jti(federated.issuer, federated.claims, federated.policy.tenant_id)


def record_exchange(federated: Federated, *, scope: str, aud: str, jti: str) -> None:
    claims = federated.claims
    audit.append(
        federated.policy.tenant_id,
        actor=f"oidc:{federated.issuer}#{claims['sub']}",
        action="token.exchanged",
        target=f"agent:{federated.policy.agent_id}",
        details={
            "trust_policy_id": federated.policy.policy_id,
            "issuer": federated.issuer,
            "subject": str(claims["sub"]),
            "subject_jti": str(claims["jti"]),
            "jti": jti,
            "scope": scope,
            "aud": aud,
            "claims": {name: claims[name] for name in AUDITED_CLAIMS if name in claims},
        },
    )

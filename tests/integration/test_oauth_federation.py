"""Token exchange of external OIDC ID tokens (RFC 8693) under trust policies, against a loopback issuer."""

from __future__ import annotations

import time
from collections.abc import Iterator

import jwt
import pytest

from agentgate.auth import oidc
from agentgate.models import AgentItem, TenantItem
from agentgate.platform.settings import reset_settings
from tests.support.api import call
from tests.support.oauth import admin, make_agent, make_tenant, post_form, set_status, table_items
from tests.support.oidc_issuer import GITHUB_AUDIENCE, TestIssuer, running_issuer

EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"
JWT_TOKEN = "urn:ietf:params:oauth:token-type:jwt"


@pytest.fixture
def issuer(aws, monkeypatch) -> Iterator[TestIssuer]:
    monkeypatch.setenv("ALLOW_LOOPBACK_ISSUERS", "true")
    reset_settings()
    oidc.issuer_keys.clear()
    with running_issuer("RSA", "EC") as running:
        yield running
    oidc.issuer_keys.clear()


def _trust(issuer: TestIssuer, tenant_id: str, agent_id: str, **overrides) -> dict:
    body = {
        "name": "deploy on main",
        "issuer": issuer.url,
        "audience": GITHUB_AUDIENCE,
        "claims": {"repository_id": "1234", "ref": "refs/heads/main"},
        "agent_id": agent_id,
        "scopes": ["deploy:write"],
    }
    body.update(overrides)
    reply = call("POST", "/api/v1/oidc/trust-policies", body=body, ctx=admin(tenant_id))
    assert reply.status == 201, reply.text
    return reply.json


def _setup(issuer: TestIssuer, **overrides) -> tuple[str, str, dict]:
    tenant_id = make_tenant()
    agent_id = make_agent(tenant_id, scopes={"deploy:write", "runs:write"})
    return tenant_id, agent_id, _trust(issuer, tenant_id, agent_id, **overrides)


def _exchange(subject_token: str, token_type: str = ID_TOKEN, **form: str):
    return post_form(
        "/oauth2/token",
        {"grant_type": EXCHANGE, "subject_token": subject_token, "subject_token_type": token_type, **form},
    )


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def _refused(reply, description: str) -> None:
    assert reply.status == 400, reply.text
    assert reply.json["error"] == "invalid_request", reply.json
    assert description in reply.json["error_description"], reply.json["error_description"]
    assert "access_token" not in reply.json
    assert reply.headers["cache-control"] == "no-store"


def test_a_github_token_of_the_pinned_repository_becomes_an_agent_token(issuer):
    tenant_id, agent_id, policy = _setup(issuer)
    id_token = issuer.mint()

    reply = _exchange(id_token)

    assert reply.status == 200, reply.text
    body = reply.json
    assert body["token_type"] == "Bearer" and body["scope"] == "deploy:write"
    assert body["issued_token_type"] == "urn:ietf:params:oauth:token-type:access_token"
    header = jwt.get_unverified_header(body["access_token"])
    claims = _claims(body["access_token"])
    assert header["typ"] == "at+jwt"
    assert claims["sub"] == agent_id and claims["tenant_id"] == tenant_id
    assert claims["act"] == {"iss": issuer.url, "sub": "repo:acme/deploy:environment:production"}
    assert claims["trust_policy_id"] == policy["id"]
    assert claims["client_id"] == f"trust_policy:{policy['id']}"


def test_the_agent_token_verifies_as_a_token_of_this_deployment(issuer):
    from agentgate.auth import tokens

    tenant_id, agent_id, _ = _setup(issuer)
    access = _exchange(issuer.mint()).json["access_token"]

    verified = tokens.verify(access)

    assert verified.claims["sub"] == agent_id and verified.claims["tenant_id"] == tenant_id
    assert verified.scopes == {"deploy:write"}


def test_an_es256_token_is_accepted_too(issuer):
    _setup(issuer)

    reply = _exchange(issuer.mint(issuer.keys[1]), token_type=JWT_TOKEN)

    assert reply.status == 200, reply.text


def test_each_exchange_is_audited_with_the_matched_policy(issuer):
    tenant_id, agent_id, policy = _setup(issuer)
    id_token = issuer.mint()

    access = _exchange(id_token).json["access_token"]

    entries = call("GET", "/api/v1/audit", query={"action": "token.exchanged"}, ctx=admin(tenant_id)).json
    entry = entries["items"][0]
    assert entry["target"] == f"agent:{agent_id}"
    assert entry["details"]["trust_policy_id"] == policy["id"]
    assert entry["details"]["claims"]["repository_id"] == "1234"
    assert entry["details"]["subject_jti"] == _claims(id_token)["jti"]
    assert entry["details"]["jti"] == _claims(access)["jti"]


def test_the_same_repository_name_with_another_repository_id_is_refused(issuer):
    _setup(issuer)

    # acme/deploy deleted and re-created (or a renamed owner taking the name): a new repository_id.
    reply = _exchange(issuer.mint(repository_id="9876"))

    _refused(reply, "No trust policy matches")


@pytest.mark.parametrize(
    ("claims", "description"),
    [
        ({"aud": "https://github.com/someone-else"}, "No trust policy matches"),
        # Times are offsets from the moment the test runs (``_at_run_time``), not from collection:
        # a worker may run this file many minutes after it collected it.
        ({"exp": -600, "iat": -900}, "expired"),
        ({"nbf": 600, "iat": 0}, "not yet valid"),
        ({"iat": 600, "nbf": None}, "not yet valid (iat)"),
        ({"ref": "refs/heads/feature"}, "No trust policy matches"),
        ({"jti": None}, "jti"),
    ],
)
def test_a_token_that_fails_a_claim_check_is_refused_and_nothing_is_issued(issuer, claims, description):
    _setup(issuer)
    before = table_items()

    reply = _exchange(issuer.mint(**_at_run_time(claims)))

    _refused(reply, description)
    assert table_items() == before


def _at_run_time(claims: dict) -> dict:
    """The time claims (``exp``, ``nbf``, ``iat``) given as offsets in seconds, made absolute now."""
    now = int(time.time())
    return {k: now + v if k in {"exp", "nbf", "iat"} and isinstance(v, int) else v for k, v in claims.items()}


def test_an_unknown_issuer_is_refused_without_fetching_anything(issuer):
    _setup(issuer)
    with running_issuer() as stranger:
        reply = _exchange(stranger.mint())

        _refused(reply, "not trusted")
        assert stranger.requests == []


def test_alg_none_is_refused(issuer):
    _setup(issuer)

    _refused(_exchange(issuer.mint_unsigned()), "alg 'none' is not accepted")


def test_hs256_keyed_with_anything_is_refused(issuer):
    _setup(issuer)
    public_n = issuer.keys[0].as_dict(private=False)["n"]

    _refused(_exchange(issuer.mint_hs256(public_n)), "alg 'HS256' is not accepted")


def test_an_unknown_kid_is_refused(issuer):
    _setup(issuer)

    _refused(_exchange(issuer.mint(kid="not-published")), "publishes no key")


def test_a_forged_signature_is_refused(issuer):
    _setup(issuer)
    forger = TestIssuer(url=issuer.url)
    forger.add_key("RSA")

    _refused(_exchange(forger.mint(kid=issuer.keys[0].kid)), "Signature verification failed")


def test_an_rsa_key_cannot_verify_an_es256_header(issuer):
    _setup(issuer)

    _refused(_exchange(issuer.mint(issuer.keys[1], kid=issuer.keys[0].kid)), "cannot verify ES256")


def test_a_replayed_jti_is_refused(issuer):
    _setup(issuer)
    id_token = issuer.mint()
    assert _exchange(id_token).status == 200

    _refused(_exchange(id_token), "already exchanged")


def test_a_key_added_by_the_issuer_is_found_by_refreshing_on_its_unknown_kid(issuer, monkeypatch):
    _setup(issuer)
    assert _exchange(issuer.mint()).status == 200
    rotated = issuer.add_key("RSA")
    monkeypatch.setattr(oidc, "UNKNOWN_KID_REFRESH_SECONDS", 0)

    reply = _exchange(issuer.mint(rotated))

    assert reply.status == 200, reply.text
    assert issuer.requests.count("/jwks") == 2


def test_an_issuer_whose_discovery_points_at_a_private_address_is_refused(issuer):
    _setup(issuer)
    issuer.jwks_uri = "http://169.254.169.254/latest/meta-data/jwks"

    _refused(_exchange(issuer.mint()), "non-public address")


def test_a_discovery_document_naming_another_issuer_is_refused(issuer):
    _setup(issuer)
    issuer.discovery_issuer = "https://token.actions.githubusercontent.com"

    _refused(_exchange(issuer.mint()), "names another issuer")


def test_a_loopback_issuer_is_refused_outside_the_local_stack(issuer, monkeypatch):
    _setup(issuer)
    monkeypatch.setenv("ALLOW_LOOPBACK_ISSUERS", "false")
    reset_settings()

    _refused(_exchange(issuer.mint()), "non-public address")


def test_two_matching_policies_are_ambiguous_and_refused(issuer):
    tenant_id, agent_id, _ = _setup(issuer)
    _trust(issuer, tenant_id, agent_id, claims={"repository_owner_id": "99"})

    _refused(_exchange(issuer.mint()), "2 trust policies match")


def test_a_glob_on_ref_matches_tags(issuer):
    _setup(issuer, claims={"repository_id": "1234", "ref": "refs/tags/v*"})

    assert _exchange(issuer.mint(ref="refs/tags/v1.2.0")).status == 200
    assert _exchange(issuer.mint(ref="refs/heads/main")).status == 400


def test_scopes_are_bounded_by_the_policy(issuer):
    _setup(issuer)

    reply = _exchange(issuer.mint(), scope="runs:write")

    assert reply.status == 400 and reply.json["error"] == "invalid_scope"


def test_the_policy_can_shorten_the_token_lifetime(issuer):
    _setup(issuer, max_token_ttl_seconds=120)

    reply = _exchange(issuer.mint())

    claims = _claims(reply.json["access_token"])
    assert reply.json["expires_in"] == 120 and claims["exp"] - claims["iat"] == 120


@pytest.mark.parametrize("paused", ["agent", "tenant"])
def test_a_paused_agent_or_tenant_gets_no_token(issuer, paused):
    tenant_id, agent_id, _ = _setup(issuer)
    if paused == "agent":
        set_status(AgentItem, tenant_id, AgentItem.sk_for(agent_id), "paused")
    else:
        set_status(TenantItem, tenant_id, TenantItem.SK, "paused")

    reply = _exchange(issuer.mint())

    assert reply.status == 403 and reply.json["error"] == "unauthorized_client"


def test_a_trust_policy_of_tenant_a_never_yields_a_token_for_tenant_b(issuer):
    tenant_a, agent_a, _ = _setup(issuer)
    tenant_b = make_tenant()
    agent_b = make_agent(tenant_b, scopes={"deploy:write"})
    # B trusts another repository of the same issuer for its agent.
    _trust(issuer, tenant_b, agent_b, claims={"repository_id": "5555"})

    claims = _claims(_exchange(issuer.mint()).json["access_token"])

    assert (claims["tenant_id"], claims["sub"]) == (tenant_a, agent_a)
    # And a policy can never name B's agent from A: the agent is looked up in A only.
    reply = call(
        "POST",
        "/api/v1/oidc/trust-policies",
        body={
            "name": "steal",
            "issuer": issuer.url,
            "audience": GITHUB_AUDIENCE,
            "claims": {"repository_id": "7777"},
            "agent_id": agent_b,
            "scopes": ["deploy:write"],
        },
        ctx=admin(tenant_a),
    )
    assert reply.status == 400


def test_a_deleted_policy_no_longer_matches(issuer):
    tenant_id, _, policy = _setup(issuer)
    path = "/api/v1/oidc/trust-policies/{id}"
    call("DELETE", path, path_params={"id": policy["id"]}, ctx=admin(tenant_id))

    _refused(_exchange(issuer.mint()), "not trusted")


def test_an_access_token_subject_without_client_authentication_is_refused(issuer):
    _setup(issuer)

    reply = _exchange(issuer.mint(), token_type="urn:ietf:params:oauth:token-type:access_token")

    _refused(reply, "subject_token_type")


def test_garbage_as_a_subject_token_is_refused(issuer):
    _refused(_exchange("not-a-jwt"), "not a JWT")

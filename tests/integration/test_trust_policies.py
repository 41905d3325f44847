"""Trust policies: written only when they pin an immutable claim; read, listed and deleted per tenant."""

from __future__ import annotations

import pytest

from agentgate.platform.tenancy import Role
from tests.support.api import call
from tests.support.identity import as_role, new_tenant, table_items

GITHUB = "https://token.actions.githubusercontent.com"
BASE = "/api/v1/oidc/trust-policies"


def _agent(ctx, scopes=("deploy:write", "runs:write")) -> str:
    reply = call("POST", "/api/v1/agents", body={"name": "deployer", "scopes": list(scopes)}, ctx=ctx)
    assert reply.status == 201, reply.text
    return reply.json["id"]


def _policy(agent: str, **overrides):
    body = {
        "name": "release pipeline",
        "issuer": GITHUB,
        "audience": "https://github.com/acme",
        "claims": {"repository_id": "1234", "ref": "refs/heads/main", "environment": "production"},
        "agent_id": agent,
        "scopes": ["deploy:write"],
    }
    body.update(overrides)
    return body


def _create(ctx, body):
    return call("POST", BASE, body=body, ctx=ctx)


def test_an_admin_creates_a_policy_pinned_to_a_repository_id_and_it_is_audited(aws):
    _, ctx = new_tenant()
    agent_id = _agent(ctx)

    reply = _create(ctx, _policy(agent_id, max_token_ttl_seconds=300))

    assert reply.status == 201, reply.text
    policy = reply.json
    assert policy["id"].startswith("tp_") and policy["claims"]["repository_id"] == "1234"
    assert policy["scopes"] == ["deploy:write"] and policy["max_token_ttl_seconds"] == 300
    assert call("GET", f"{BASE}/{{id}}", path_params={"id": policy["id"]}, ctx=ctx).json == policy
    audit = call("GET", "/api/v1/audit", query={"action": "trust_policy.created"}, ctx=ctx).json["items"]
    assert audit[0]["target"] == f"trust_policy:{policy['id']}"


@pytest.mark.parametrize(
    "claims",
    [
        {"repository": "acme/deploy"},
        {"repository": "acme/deploy", "repository_owner": "acme", "ref": "refs/heads/main"},
        {"sub": "repo:acme/deploy:ref:refs/heads/main"},
    ],
)
def test_a_github_policy_on_a_repository_name_alone_is_refused_and_nothing_is_written(aws, claims):
    _, ctx = new_tenant()
    agent_id = _agent(ctx)
    before = table_items()

    reply = _create(ctx, _policy(agent_id, claims=claims))

    assert reply.status == 400, reply.text
    assert reply.json["error"]["details"][0]["field"] == "claims"
    assert reply.json["error"]["details"][0]["issue"] == "missing_immutable_claim"
    assert table_items() == before


def test_another_issuer_must_pin_its_sub(aws):
    _, ctx = new_tenant()
    agent_id = _agent(ctx)
    gitlab = "https://gitlab.example.com"

    refused = _create(ctx, _policy(agent_id, issuer=gitlab, claims={"ref": "main"}))
    accepted = _create(ctx, _policy(agent_id, issuer=gitlab, claims={"project_id": "42", "ref": "main"}))
    kubernetes = _create(
        ctx,
        _policy(
            agent_id,
            issuer="https://oidc.eks.eu-west-1.amazonaws.com/id/ABC",
            audience="agentgate",
            claims={"sub": "system:serviceaccount:ci:deployer"},
        ),
    )

    assert refused.status == 400 and "sub" in refused.json["error"]["message"]
    assert accepted.status == 201 and kubernetes.status == 201


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"claims": {"repository_id": "12*"}}, "claims.repository_id"),
        ({"claims": {"repository_id": "1234", "environment": "prod*"}}, "claims.environment"),
        ({"claims": {"repository_id": "acme"}}, "claims.repository_id"),
        ({"scopes": ["agents:control"]}, "scopes"),
        ({"agent_id": "agt_missing"}, "agent_id"),
        ({"issuer": "http://token.actions.githubusercontent.com"}, "issuer"),
        ({"issuer": "https://issuer.example.com/?x=1"}, "issuer"),
        ({"max_token_ttl_seconds": 86400}, "max_token_ttl_seconds"),
        ({"max_token_ttl_seconds": 5}, "max_token_ttl_seconds"),
        ({"scopes": []}, "scopes"),
    ],
)
def test_an_invalid_policy_is_a_400_naming_the_field_and_nothing_is_written(aws, overrides, field):
    _, ctx = new_tenant()
    agent_id = _agent(ctx)
    before = table_items()

    reply = _create(ctx, _policy(agent_id, **overrides))

    assert reply.status == 400, reply.text
    assert field in {d["field"] for d in reply.json["error"]["details"]}
    assert table_items() == before


def test_a_glob_is_allowed_on_ref_and_workflow_ref(aws):
    _, ctx = new_tenant()
    agent_id = _agent(ctx)

    reply = _create(
        ctx,
        _policy(
            agent_id,
            claims={
                "repository_id": "1234",
                "ref": "refs/tags/v*",
                "workflow_ref": "acme/deploy/.github/workflows/*@refs/tags/*",
            },
        ),
    )

    assert reply.status == 201, reply.text


def test_only_admins_manage_trust_policies(aws):
    _, ctx = new_tenant()
    agent_id = _agent(ctx)

    reply = _create(as_role(ctx, Role.TEAM_LEAD), _policy(agent_id))

    assert reply.status == 403 and reply.json["error"]["code"] == "insufficient_role"


def test_listing_filters_by_agent_and_pages(aws):
    _, ctx = new_tenant()
    first, second = _agent(ctx), _agent(ctx)
    for agent_id in (first, first, second):
        assert _create(ctx, _policy(agent_id)).status == 201

    page = call("GET", BASE, query={"limit": 2}, ctx=ctx).json
    rest = call("GET", BASE, query={"limit": 2, "cursor": page["next_cursor"]}, ctx=ctx).json
    only_second = call("GET", BASE, query={"agent_id": second}, ctx=ctx).json

    assert len(page["items"]) == 2 and len(rest["items"]) == 1 and rest["next_cursor"] is None
    assert [p["agent_id"] for p in only_second["items"]] == [second]


def test_a_deleted_policy_is_gone_and_the_deletion_audited(aws):
    _, ctx = new_tenant()
    policy = _create(ctx, _policy(_agent(ctx))).json
    path = f"{BASE}/{{id}}"

    deleted = call("DELETE", path, path_params={"id": policy["id"]}, ctx=ctx)

    assert deleted.status == 204
    assert call("GET", path, path_params={"id": policy["id"]}, ctx=ctx).status == 404
    assert call("DELETE", path, path_params={"id": policy["id"]}, ctx=ctx).status == 404
    audit = call("GET", "/api/v1/audit", query={"action": "trust_policy.deleted"}, ctx=ctx).json["items"]
    assert len(audit) == 1


def test_another_tenants_policy_is_not_found(aws):
    _, ctx = new_tenant()
    _, other = new_tenant("Other")
    policy = _create(ctx, _policy(_agent(ctx))).json
    path = f"{BASE}/{{id}}"

    assert call("GET", path, path_params={"id": policy["id"]}, ctx=other).status == 404
    assert call("DELETE", path, path_params={"id": policy["id"]}, ctx=other).status == 404
    assert call("GET", BASE, ctx=other).json["items"] == []
    assert call("GET", path, path_params={"id": policy["id"]}, ctx=ctx).status == 200


def test_a_policy_cannot_name_another_tenants_agent(aws):
    _, ctx = new_tenant()
    _, other = new_tenant("Other")

    reply = _create(other, _policy(_agent(ctx)))

    assert reply.status == 400 and reply.json["error"]["details"][0]["field"] == "agent_id"

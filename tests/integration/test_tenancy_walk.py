"""Tenancy walk: every route whose path names something, called by another tenant's owner with the first
tenant's real ids, answers 404 and changes nothing of the first tenant.

Tenant A gets one of everything a path parameter can name, made through the real routes (a run and its
events through ingestion and the runs consumer, an approval through /authorize and a require_approval
policy). Tenant B is another signed-up organisation; its owner passes every role check, so a 404 can
only come from the tenant scoping. A route added to the table with a path parameter and no entry here
fails ``test_every_route_with_a_path_parameter_is_walked``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from agentgate.platform.tenancy import TenantContext
from agentgate.routes import ROUTES
from tests.integration.test_runs_helpers import Stream, run_body
from tests.integration.test_runs_helpers import agent as agent_ctx
from tests.support.api import call
from tests.support.identity import cognito_emails, new_tenant, table_items

TEAM = "payments"
PUBLIC_HOOK = "https://93.184.216.34/hooks/agentgate"  # a public address literal: passes the SSRF check


@dataclass(frozen=True)
class Walk:
    """How to call one route as tenant B: which of A's ids fills each path parameter, and a valid body."""

    params: dict[str, str]  # path parameter -> attribute of World
    body: Any = None
    aggregate: bool = False  # may answer 200 with an empty aggregate (a name, not an id)
    # Public routes of an unpublished agent answer 404 to everyone without credentials, its owner too:
    # test_marketplace checks what they show once it is published.
    control: bool = True


WALKS: dict[str, Walk] = {
    "PATCH /api/v1/org-members/{id}": Walk({"id": "member"}, {"role": "viewer"}),
    "DELETE /api/v1/org-members/{id}": Walk({"id": "member"}),
    "DELETE /api/v1/api-keys/{id}": Walk({"id": "api_key"}),
    "GET /api/v1/agents/{id}": Walk({"id": "agent"}),
    "PATCH /api/v1/agents/{id}": Walk({"id": "agent"}, {"description": "x"}),
    "DELETE /api/v1/agents/{id}": Walk({"id": "agent"}),
    "POST /api/v1/agents/{id}/pause": Walk({"id": "agent"}, {"reason": "walk"}),
    "POST /api/v1/agents/{id}/resume": Walk({"id": "agent"}),
    "POST /api/v1/agents/{id}/credentials": Walk({"id": "agent"}, {}),
    "GET /api/v1/agents/{id}/credentials": Walk({"id": "agent"}),
    "DELETE /api/v1/agents/{id}/credentials/{credential_id}": Walk(
        {"id": "agent", "credential_id": "credential"}
    ),
    "GET /api/v1/runs/{id}": Walk({"id": "run"}),
    "GET /api/v1/events/{run_id}": Walk({"run_id": "run"}),
    "GET /api/v1/dashboard/agent/{id}": Walk({"id": "agent"}),
    "GET /api/v1/costs/by-agent/{id}": Walk({"id": "agent"}),
    "GET /api/v1/costs/by-team/{name}": Walk({"name": "team"}, aggregate=True),
    "GET /api/v1/budgets/{id}": Walk({"id": "budget"}),
    "PATCH /api/v1/budgets/{id}": Walk({"id": "budget"}, {"max_amount_usd": "1"}),
    "DELETE /api/v1/budgets/{id}": Walk({"id": "budget"}),
    "GET /api/v1/policies/{id}": Walk({"id": "policy"}),
    "PATCH /api/v1/policies/{id}": Walk({"id": "policy"}, {"status": "disabled"}),
    "DELETE /api/v1/policies/{id}": Walk({"id": "policy"}),
    "GET /api/v1/approvals/{id}": Walk({"id": "approval"}),
    "POST /api/v1/approvals/{id}/approve": Walk({"id": "approval"}, {"comment": "walk"}),
    "POST /api/v1/approvals/{id}/reject": Walk({"id": "approval"}, {"comment": "walk"}),
    "DELETE /api/v1/webhooks/{id}": Walk({"id": "webhook"}),
    "GET /api/v1/webhooks/{id}/deliveries": Walk({"id": "webhook"}),
    "POST /api/v1/webhooks/{id}/test": Walk({"id": "webhook"}),
    "GET /api/v1/oidc/trust-policies/{id}": Walk({"id": "trust_policy"}),
    "DELETE /api/v1/oidc/trust-policies/{id}": Walk({"id": "trust_policy"}),
    "POST /api/v1/agents/{id}/publish": Walk({"id": "agent"}),
    "POST /api/v1/agents/{id}/unpublish": Walk({"id": "agent"}),
    "GET /api/v1/agents/{id}/card": Walk({"id": "agent"}, control=False),
    "GET /agents/{tenant_id}/{agent_id}/did.json": Walk(
        {"tenant_id": "a", "agent_id": "agent"}, control=False
    ),
    "GET /api/v1/marketplace/agents/{tenant_id}/{agent_id}": Walk(
        {"tenant_id": "a", "agent_id": "agent"}, control=False
    ),
}


@dataclass
class World:
    a: str  # tenant A's id
    b: str  # tenant B's id
    owner: TenantContext  # A's owner
    intruder: TenantContext  # B's owner
    member: str
    api_key: str
    agent: str
    credential: str
    run: str
    budget: str
    policy: str
    approval: str
    webhook: str
    trust_policy: str
    team: str = TEAM


def _created(reply, status: int = 201) -> Any:
    assert reply.status == status, reply.text
    return reply.json


@pytest.fixture
def world(aws) -> World:
    a, owner = new_tenant("Acme")
    b, intruder = new_tenant("Globex")

    member = _created(
        call(
            "POST",
            "/api/v1/org-members",
            body={"email": "bob@acme.test", "role": "member", "team": TEAM},
            ctx=owner,
        )
    )["id"]
    api_key = _created(
        call("POST", "/api/v1/api-keys", body={"name": "ci", "scopes": ["agents:read"]}, ctx=owner)
    )["id"]
    agent = _created(
        call(
            "POST",
            "/api/v1/agents",
            body={"name": "refunder", "team": TEAM, "scopes": ["runs:write"]},
            ctx=owner,
        )
    )["id"]
    credential = _created(
        call("POST", "/api/v1/agents/{id}/credentials", path_params={"id": agent}, body={}, ctx=owner)
    )["credential_id"]

    now = datetime.now(UTC).replace(microsecond=0)
    run = run_body(
        "run_walk",
        start_time=(now - timedelta(minutes=5)).isoformat(),
        end_time=(now - timedelta(minutes=4)).isoformat(),
        events=[{"event_id": "e1", "type": "llm", "timestamp": (now - timedelta(minutes=5)).isoformat()}],
    )
    as_agent = agent_ctx(a, agent, team=TEAM, tier=owner.tier)
    _created(call("POST", "/api/v1/ingest/run", body=run, ctx=as_agent), 202)
    stream = Stream()
    stream.read()
    stream.deliver()
    assert _created(call("GET", "/api/v1/runs/{id}", path_params={"id": "run_walk"}, ctx=owner), 200)

    budget = _created(
        call(
            "POST",
            "/api/v1/budgets",
            body={"scope": "team", "scope_id": TEAM, "max_amount_usd": "100", "period": "monthly"},
            ctx=owner,
        )
    )["id"]
    policy = _created(
        call(
            "POST",
            "/api/v1/policies",
            body={
                "name": "refunds need a person",
                "conditions": {"all": [{"field": "action", "op": "eq", "value": "payments.refund"}]},
                "action": "require_approval",
                "approvers": ["role:team_lead"],
                "approval_timeout_seconds": 600,
            },
            ctx=owner,
        )
    )["id"]
    decision = _created(
        call("POST", "/api/v1/authorize", body={"action": "payments.refund"}, ctx=as_agent), 200
    )
    assert decision["decision"] == "pending", decision
    webhook = _created(
        call("POST", "/api/v1/webhooks", body={"url": PUBLIC_HOOK, "events": ["agent.paused"]}, ctx=owner)
    )["id"]

    trust_policy = _created(
        call(
            "POST",
            "/api/v1/oidc/trust-policies",
            body={
                "name": "deploys",
                "issuer": "https://token.actions.githubusercontent.com",
                "audience": "https://github.com/acme",
                "claims": {"repository_id": "1234"},
                "agent_id": agent,
                "scopes": ["runs:write"],
            },
            ctx=owner,
        )
    )["id"]

    return World(
        a=a,
        b=b,
        owner=owner,
        intruder=intruder,
        member=member,
        api_key=api_key,
        agent=agent,
        credential=credential,
        run="run_walk",
        budget=budget,
        policy=policy,
        approval=decision["approval_id"],
        webhook=webhook,
        trust_policy=trust_policy,
    )


def _outside(tenant_id: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Every item of the table except those in ``tenant_id``'s partition, by key."""
    own = f"TENANT#{tenant_id}"
    return {
        (i["pk"]["S"], i["sk"]["S"]): i
        for i in table_items()
        if i["pk"]["S"] != own and not i["pk"]["S"].startswith(own + "#")
    }


def _path_params(route_path: str) -> set[str]:
    return {part[1:-1] for part in route_path.split("/") if part.startswith("{") and part.endswith("}")}


def test_every_route_with_a_path_parameter_is_walked():
    with_params = {r.key for r in ROUTES if "{" in r.path}
    assert set(WALKS) == with_params
    for route in ROUTES:
        if route.key in WALKS:
            assert set(WALKS[route.key].params) == _path_params(route.path), route.key


@pytest.mark.parametrize("key", sorted(WALKS))
def test_another_tenant_gets_404_on_the_first_tenants_ids_and_changes_nothing(world, key):
    walk = WALKS[key]
    method, resource = key.split(" ", 1)
    params = {name: getattr(world, attribute) for name, attribute in walk.params.items()}
    before, emails_before = _outside(world.b), cognito_emails()

    reply = call(method, resource, path_params=params, body=walk.body, ctx=world.intruder)

    if walk.aggregate and reply.status == 200:
        report = reply.json
        assert report["runs"] == 0 and report["unpriced_runs"] == 0, report
        assert float(report["total_cost_usd"]) == 0 and all(d["runs"] == 0 for d in report["by_day"]), report
    else:
        assert reply.status == 404, f"{key} as another tenant: {reply.status} {reply.text}"
        code = reply.json["error"]["code"]
        assert code == "not_found" or code.endswith("_not_found"), reply.text  # e.g. agent_not_found
    after = _outside(world.b)
    assert after == before, {
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "changed": sorted(k for k in set(before) & set(after) if before[k] != after[k]),
    }
    assert cognito_emails() == emails_before

    # The control: the ids are real, A's owner gets past the lookup with the very same call.
    if not walk.control:
        return
    mine = call(method, resource, path_params=params, body=walk.body, ctx=world.owner)
    assert mine.status != 404, f"{key} as the owning tenant: {mine.status} {mine.text}"
    if walk.aggregate:
        assert mine.json["runs"] == 1, mine.text


def test_another_tenants_credential_id_under_ones_own_agent_is_404_and_stays_active(world):
    """The credential id is checked against the agent of the path, not just found by its id."""
    own = _created(call("POST", "/api/v1/agents", body={"name": "mine"}, ctx=world.intruder))["id"]
    before = _outside(world.b)

    reply = call(
        "DELETE",
        "/api/v1/agents/{id}/credentials/{credential_id}",
        path_params={"id": own, "credential_id": world.credential},
        ctx=world.intruder,
    )

    assert reply.status == 404, reply.text
    assert _outside(world.b) == before

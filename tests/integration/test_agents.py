"""The agent registry: CRUD, filters and pages, the tier limit under concurrency, pause and resume."""

import threading

import pytest

from agentgate.models import AgentItem, TenantItem
from agentgate.platform.errors import Forbidden
from agentgate.platform.tenancy import Role
from agentgate.schemas.agents import AgentCreate
from agentgate.services import agents
from agentgate.tiers import TIERS
from tests.support.api import call
from tests.support.atomic_dynamodb import make_requests_atomic
from tests.support.identity import as_api_key, as_role, item_keys, new_tenant

FREE_LIMIT = TIERS["free"].agent_limit


def create(ctx, **fields):
    body = {"name": "support-bot"} | fields
    return call("POST", "/api/v1/agents", body=body, ctx=ctx)


def agent_count(ctx):
    return TenantItem.get(ctx.pk, TenantItem.SK, consistent_read=True).agent_count


def test_create_answers_201_with_the_agent_and_get_reads_it_back(aws):
    _, owner = new_tenant()

    reply = create(
        as_role(owner, Role.MEMBER),
        name="Support bot",
        description="answers tickets",
        type="assistant",
        provider="anthropic",
        environment="staging",
        tags=["support", "tier1"],
        team="cx",
        scopes=["runs:write", "authorize"],
    )

    assert reply.status == 201, reply.text
    agent = reply.json
    assert agent["id"].startswith("agt_") and agent["status"] == "active" and agent["created_at"]
    assert (agent["tags"], agent["team"], agent["scopes"]) == (
        ["support", "tier1"],
        "cx",
        ["authorize", "runs:write"],
    )
    fetched = call(
        "GET", "/api/v1/agents/{id}", path_params={"id": agent["id"]}, ctx=as_role(owner, Role.VIEWER)
    )
    assert fetched.status == 200 and fetched.json == agent
    assert agent_count(owner) == 1


def test_list_filters_by_status_team_and_tag(aws):
    _, owner = new_tenant()
    a = create(owner, name="a", team="cx", tags=["support"]).json["id"]
    b = create(owner, name="b", team="ml", tags=["support", "batch"]).json["id"]
    c = create(owner, name="c", team="cx", tags=["batch"]).json["id"]
    call("POST", "/api/v1/agents/{id}/pause", path_params={"id": c}, ctx=owner)

    def ids(**query):
        reply = call("GET", "/api/v1/agents", query=query, ctx=owner)
        assert reply.status == 200, reply.text
        return {item["id"] for item in reply.json["items"]}

    assert ids() == {a, b, c}
    assert ids(team="cx") == {a, c}
    assert ids(status="paused") == {c}
    assert ids(status="active") == {a, b}
    assert ids(tag="support") == {a, b}
    assert ids(tag="batch", status="active") == {b}
    assert ids(team="cx", status="active") == {a}


def test_list_pages_with_an_opaque_cursor(aws):
    _, owner = new_tenant()
    created = {create(owner, name=f"bot{i}").json["id"] for i in range(5)}

    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = call("GET", "/api/v1/agents", query=query, ctx=owner).json
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break

    assert sorted(seen) == sorted(created)
    assert pages >= 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "1000"}, "limit"),
        ({"status": "deleted"}, "status"),
        ({"cursor": "%%%"}, "cursor"),
        ({"colour": "red"}, "colour"),
    ],
    ids=["zero-limit", "huge-limit", "bad-status", "bad-cursor", "unknown-param"],
)
def test_bad_list_query_is_400_naming_the_parameter(aws, query, field):
    _, owner = new_tenant()

    reply = call("GET", "/api/v1/agents", query=query, ctx=owner)

    assert reply.status == 400
    assert field in {d["field"] for d in reply.json["error"]["details"]}


def test_a_cursor_of_another_tenant_is_refused(aws):
    _, owner = new_tenant("Acme")
    for i in range(3):
        create(owner, name=f"bot{i}")
    cursor = call("GET", "/api/v1/agents", query={"limit": 1}, ctx=owner).json["next_cursor"]
    _, intruder = new_tenant("Globex")

    reply = call("GET", "/api/v1/agents", query={"limit": 1, "cursor": cursor}, ctx=intruder)

    assert reply.status == 400
    assert reply.json["error"]["details"][0]["field"] == "cursor"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "a", "tags": ["ok", "not ok!"]}, "tags.1"),
        ({"name": "a", "tags": [f"t{i}" for i in range(21)]}, "tags"),
        ({"name": "a", "scopes": ["Runs Write"]}, "scopes.0"),
        ({"name": "a", "status": "paused"}, "status"),
        ({"name": "a", "tenant_id": "ten_other"}, "tenant_id"),
        ({"name": "a", "description": "d" * 1001}, "description"),
    ],
    ids=[
        "missing-name",
        "empty-name",
        "long-name",
        "bad-tag",
        "too-many-tags",
        "bad-scope",
        "status-field",
        "tenant-field",
        "long-description",
    ],
)
def test_bad_create_is_400_naming_the_field_and_writes_nothing(aws, body, field):
    _, owner = new_tenant()
    before = item_keys()

    reply = call("POST", "/api/v1/agents", body=body, ctx=owner)

    assert reply.status == 400, reply.text
    assert field in {d["field"] for d in reply.json["error"]["details"]}
    assert item_keys() == before


def test_malformed_json_create_is_400_and_writes_nothing(aws):
    _, owner = new_tenant()
    before = item_keys()

    reply = call("POST", "/api/v1/agents", raw_body="{name: bot}", ctx=owner)

    assert reply.status == 400 and reply.json["error"]["code"] == "malformed_json"
    assert item_keys() == before


def test_update_changes_fields_and_moves_the_agent_between_teams_and_tags(aws):
    _, owner = new_tenant()
    agent_id = create(owner, team="cx", tags=["support"]).json["id"]

    reply = call(
        "PATCH",
        "/api/v1/agents/{id}",
        path_params={"id": agent_id},
        body={"description": "v2", "team": "ml", "tags": ["batch"], "scopes": ["runs:write"]},
        ctx=owner,
    )

    assert reply.status == 200, reply.text
    assert (reply.json["description"], reply.json["team"], reply.json["tags"]) == ("v2", "ml", ["batch"])
    assert reply.json["updated_at"]
    by = lambda **q: {i["id"] for i in call("GET", "/api/v1/agents", query=q, ctx=owner).json["items"]}  # noqa: E731
    assert by(team="ml") == {agent_id} and by(team="cx") == set()
    assert by(tag="batch") == {agent_id} and by(tag="support") == set()


def test_a_null_team_takes_the_agent_out_of_its_team(aws):
    _, owner = new_tenant()
    agent_id = create(owner, team="cx").json["id"]

    reply = call("PATCH", "/api/v1/agents/{id}", path_params={"id": agent_id}, body={"team": None}, ctx=owner)

    assert reply.status == 200 and reply.json["team"] is None
    assert call("GET", "/api/v1/agents", query={"team": "cx"}, ctx=owner).json["items"] == []


def test_bad_update_is_400_and_changes_nothing(aws):
    _, owner = new_tenant()
    agent_id = create(owner, name="bot").json["id"]
    before = AgentItem.get(owner.pk, AgentItem.sk_for(agent_id)).attribute_values

    reply = call(
        "PATCH",
        "/api/v1/agents/{id}",
        path_params={"id": agent_id},
        body={"name": "x" * 200, "id": "agt_x"},
        ctx=owner,
    )

    assert reply.status == 400
    assert {d["field"] for d in reply.json["error"]["details"]} >= {"name", "id"}
    assert AgentItem.get(owner.pk, AgentItem.sk_for(agent_id)).attribute_values == before


def test_delete_removes_the_agent_and_frees_its_place_under_the_limit(aws):
    _, owner = new_tenant()
    agent_id = create(owner, tags=["x"]).json["id"]

    reply = call("DELETE", "/api/v1/agents/{id}", path_params={"id": agent_id}, ctx=owner)

    assert reply.status == 204
    assert call("GET", "/api/v1/agents/{id}", path_params={"id": agent_id}, ctx=owner).status == 404
    assert agent_count(owner) == 0
    assert not [k for k in item_keys() if agent_id in k[1]]  # the tag item went with it


def test_over_the_tier_limit_create_is_403_tier_limit_and_writes_nothing(aws):
    _, owner = new_tenant()
    for i in range(FREE_LIMIT):
        assert create(owner, name=f"bot{i}").status == 201
    before = item_keys()

    reply = create(owner, name="one too many")

    assert reply.status == 403
    assert reply.json["error"]["code"] == "tier_limit"
    assert item_keys() == before
    assert agent_count(owner) == FREE_LIMIT


def test_concurrent_creates_at_the_limit_cannot_both_succeed(aws, monkeypatch):
    make_requests_atomic(monkeypatch)
    _, owner = new_tenant()
    for i in range(FREE_LIMIT - 2):
        agents.create(owner, AgentCreate(name=f"bot{i}"))
    outcomes: list[str] = []
    start = threading.Barrier(6)

    def race(n: int) -> None:
        start.wait()
        try:
            agents.create(owner, AgentCreate(name=f"racer{n}"))
            outcomes.append("created")
        except Forbidden as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=race, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["created"] * 2 + ["tier_limit"] * 4
    assert agent_count(owner) == FREE_LIMIT
    assert AgentItem.count(owner.pk, AgentItem.sk.startswith("AGENT#")) == FREE_LIMIT


def test_pause_and_resume_change_the_status_and_are_audited(aws):
    _, owner = new_tenant()
    agent_id = create(owner).json["id"]
    lead = as_role(owner, Role.TEAM_LEAD)

    paused = call(
        "POST",
        "/api/v1/agents/{id}/pause",
        path_params={"id": agent_id},
        body={"reason": "runaway"},
        ctx=lead,
    )
    resumed = call("POST", "/api/v1/agents/{id}/resume", path_params={"id": agent_id}, ctx=lead)

    assert paused.status == 200, paused.text
    assert (paused.json["status"], paused.json["paused_reason"]) == ("paused", "runaway")
    assert (
        resumed.status == 200 and resumed.json["status"] == "active" and resumed.json["paused_reason"] is None
    )
    log = call("GET", "/api/v1/audit", ctx=owner).json["items"]
    assert [e["action"] for e in log[:2]] == ["agent.resumed", "agent.paused"]
    assert log[1]["details"] == {"reason": "runaway"}


def test_pausing_a_paused_agent_is_harmless(aws):
    _, owner = new_tenant()
    agent_id = create(owner).json["id"]
    call("POST", "/api/v1/agents/{id}/pause", path_params={"id": agent_id}, ctx=owner)

    again = call("POST", "/api/v1/agents/{id}/pause", path_params={"id": agent_id}, ctx=owner)

    assert again.status == 200 and again.json["status"] == "paused"
    paused_entries = call("GET", "/api/v1/audit", query={"action": "agent.paused"}, ctx=owner).json["items"]
    assert len(paused_entries) == 1


def test_pause_agents_pauses_only_the_tenants_active_agents_and_emits_events(aws):
    tenant_id, owner = new_tenant()
    a = create(owner, name="a").json["id"]
    b = create(owner, name="b").json["id"]
    _, other = new_tenant("Globex")
    foreign = create(other, name="f").json["id"]

    paused = agents.pause_agents(
        tenant_id, [a, b, foreign, "agt_missing", a], actor="system:budget", reason="budget"
    )

    assert paused == [a, b]
    assert agents.get(other, foreign).status == "active"
    from agentgate.models import DomainEventItem

    events = [
        e
        for e in DomainEventItem.query(owner.pk, DomainEventItem.sk.startswith("EVENT#"))
        if e.type == "agent.paused"
    ]
    assert sorted(e.data["agent_id"] for e in events) == sorted([a, b])


def test_a_malformed_pause_body_is_400_and_changes_nothing(aws):
    _, owner = new_tenant()
    agent_id = create(owner).json["id"]

    reply = call("POST", "/api/v1/agents/{id}/pause", path_params={"id": agent_id}, raw_body="{", ctx=owner)

    assert reply.status == 400
    assert agents.get(owner, agent_id).status == "active"


def test_an_api_key_with_agents_control_may_pause(aws):
    _, owner = new_tenant()
    agent_id = create(owner).json["id"]

    reply = call(
        "POST",
        "/api/v1/agents/{id}/pause",
        path_params={"id": agent_id},
        ctx=as_api_key(owner, "agents:control"),
    )
    refused = call(
        "POST",
        "/api/v1/agents/{id}/resume",
        path_params={"id": agent_id},
        ctx=as_api_key(owner, "agents:write"),
    )

    assert reply.status == 200
    assert refused.status == 403 and refused.json["error"]["code"] == "insufficient_scope"


@pytest.mark.parametrize(
    ("method", "resource", "body"),
    [
        ("GET", "/api/v1/agents/{id}", None),
        ("PATCH", "/api/v1/agents/{id}", {"name": "stolen"}),
        ("DELETE", "/api/v1/agents/{id}", None),
        ("POST", "/api/v1/agents/{id}/pause", None),
        ("POST", "/api/v1/agents/{id}/resume", None),
    ],
)
def test_another_tenants_agent_is_not_found(aws, method, resource, body):
    _, owner = new_tenant("Acme")
    agent_id = create(owner, name="bot").json["id"]
    _, intruder = new_tenant("Globex")

    reply = call(method, resource, path_params={"id": agent_id}, body=body, ctx=intruder)

    assert reply.status == 404
    agent = agents.get(owner, agent_id)
    assert (agent.name, agent.status) == ("bot", "active")
    assert call("GET", "/api/v1/agents", ctx=intruder).json["items"] == []


def test_an_agent_records_who_registered_it(aws):
    _, owner = new_tenant()
    member = as_role(owner, Role.MEMBER)

    reply = create(member)

    stored = AgentItem.get(member.pk, AgentItem.sk_for(reply.json["id"]))
    assert stored.created_by == f"user:{member.principal.id}"


def as_agent(ctx, agent_id, *scopes):
    from agentgate.platform.tenancy import Caller, Principal, TenantContext

    principal = Principal(kind=Caller.AGENT, id=agent_id, agent_id=agent_id, scopes=frozenset(scopes))
    return TenantContext(tenant_id=ctx.tenant_id, principal=principal, tier=ctx.tier)


def test_an_agent_with_agents_write_registers_and_changes_agents_within_its_own_scopes(aws):
    _, owner = new_tenant()
    deployer = create(
        as_role(owner, Role.MEMBER), name="ci", scopes=["agents:read", "agents:write", "runs:write"]
    )
    ci = as_agent(owner, deployer.json["id"], "agents:read", "agents:write", "runs:write")

    created = create(ci, name="release-bot", scopes=["runs:write"])
    changed = call(
        "PATCH",
        "/api/v1/agents/{id}",
        path_params={"id": created.json["id"]},
        body={"team": "release"},
        ctx=ci,
    )
    listed = call("GET", "/api/v1/agents", ctx=ci)

    assert created.status == 201 and created.json["scopes"] == ["runs:write"]
    assert changed.status == 200 and changed.json["team"] == "release"
    assert {a["id"] for a in listed.json["items"]} == {deployer.json["id"], created.json["id"]}


def test_an_agent_cannot_grant_a_scope_it_does_not_hold_and_nothing_is_written(aws):
    _, owner = new_tenant()
    deployer = create(as_role(owner, Role.MEMBER), name="ci", scopes=["agents:write"])
    ci = as_agent(owner, deployer.json["id"], "agents:write")
    before = item_keys()

    reply = create(ci, name="escalated", scopes=["agents:write", "budgets:admin"])

    assert reply.status == 403 and reply.json["error"]["code"] == "insufficient_scope"
    assert "budgets:admin" in reply.json["error"]["message"]
    assert item_keys() == before


def test_an_agent_without_agents_write_cannot_register_agents(aws):
    _, owner = new_tenant()
    worker = create(as_role(owner, Role.MEMBER), name="worker", scopes=["runs:write"])

    reply = create(as_agent(owner, worker.json["id"], "runs:write"), name="another")

    assert reply.status == 403 and reply.json["error"]["code"] == "insufficient_scope"

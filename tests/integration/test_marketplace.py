"""Publishing agents: A2A cards (validated with a2a-sdk), did:web documents (pydid), the marketplace."""

from __future__ import annotations

from urllib.parse import unquote

import pydid
import pytest
from a2a.types import AgentCard
from google.api import field_behavior_pb2
from google.protobuf import json_format

from agentgate.platform.settings import reset_settings
from agentgate.platform.tenancy import Role
from tests.support.api import call
from tests.support.identity import as_api_key, as_role, new_tenant, table_items

SKILLS = [
    {"id": "summarise", "name": "Summarise", "description": "Summarises invoices", "tags": ["finance"]},
    {
        "id": "reconcile",
        "name": "Reconcile",
        "description": "Matches payments to ledgers",
        "tags": ["ledger"],
    },
]
INTERFACE = {"url": "https://agents.acme.test/a2a", "protocol_binding": "JSONRPC"}
PUBLIC_FIELDS = {
    "tenant_id", "agent_id", "organization", "name", "description", "version", "tags", "skills",
    "card_url", "did", "did_document_url", "published_at",
}  # fmt: skip


def _agent(ctx, **overrides) -> dict:
    body = {
        "name": "invoice-bot",
        "description": "Reads invoices",
        "tags": ["finance", "ops"],
        "scopes": ["runs:write", "costs:read"],
        "audiences": ["https://agents.acme.test/a2a"],
        "skills": SKILLS,
        "interfaces": [INTERFACE],
        "version": "2.1.0",
        "team": "core",
    }
    body.update(overrides)
    reply = call("POST", "/api/v1/agents", body=body, ctx=ctx)
    assert reply.status == 201, reply.text
    return reply.json


def _publish(ctx, agent_id: str, action: str = "publish"):
    return call("POST", f"/api/v1/agents/{{id}}/{action}", path_params={"id": agent_id}, ctx=ctx)


def _card(agent_id: str, headers: dict | None = None):
    return call("GET", "/api/v1/agents/{id}/card", path_params={"id": agent_id}, headers=headers)


def _did(tenant_id: str, agent_id: str):
    params = {"tenant_id": tenant_id, "agent_id": agent_id}
    return call("GET", "/agents/{tenant_id}/{agent_id}/did.json", path_params=params)


def _missing_required(message) -> list[str]:
    """Fields A2A marks REQUIRED (google.api.field_behavior) that the parsed card leaves empty."""
    missing = []
    for field in message.DESCRIPTOR.fields:
        if (
            field_behavior_pb2.REQUIRED
            not in field.GetOptions().Extensions[field_behavior_pb2.field_behavior]
        ):
            continue
        value = getattr(message, field.name)
        present = (
            len(value) > 0
            if field.is_repeated
            else (message.HasField(field.name) if field.message_type else value != field.default_value)
        )
        if not present:
            missing.append(field.name)
    return missing


def _validate_card(data: dict) -> AgentCard:
    card = json_format.ParseDict(data, AgentCard())  # unknown fields are an error
    assert _missing_required(card) == []
    for skill in card.skills:
        assert _missing_required(skill) == []
    for interface in card.supported_interfaces:
        assert _missing_required(interface) == []
    return card


@pytest.fixture
def published(aws):
    tenant_id, ctx = new_tenant("Acme Finance")
    agent = _agent(ctx)
    reply = _publish(ctx, agent["id"])
    assert reply.status == 200, reply.text
    return tenant_id, ctx, agent


def test_a_published_agents_card_validates_with_the_a2a_sdk(published):
    _, _, agent = published

    reply = _card(agent["id"])

    assert reply.status == 200, reply.text
    card = _validate_card(reply.json)
    assert (card.name, card.description, card.version) == ("invoice-bot", "Reads invoices", "2.1.0")
    assert [s.id for s in card.skills] == ["summarise", "reconcile"]
    assert card.supported_interfaces[0].url == INTERFACE["url"]
    assert card.provider.organization == "Acme Finance"
    flow = card.security_schemes["agentgate"].oauth2_security_scheme.flows.client_credentials
    assert flow.token_url == "http://127.0.0.1:8000/oauth2/token"
    assert "runs:write" not in reply.text  # the agent's own scopes stay private


def test_a_published_agents_did_document_validates_with_pydid_and_resolves_per_did_web(published):
    tenant_id, _, agent = published

    reply = _did(tenant_id, agent["id"])

    assert reply.status == 200, reply.text
    document = pydid.deserialize_document(reply.json, strict=True)
    did = str(document.id)
    assert did == f"did:web:127.0.0.1%3A8000:agents:{tenant_id}:{agent['id']}"
    jwks = call("GET", "/.well-known/jwks.json").json["keys"]
    methods = {m.id.fragment: m for m in document.verification_method}
    assert set(methods) == {k["kid"] for k in jwks}
    assert all(methods[k["kid"]].public_key_jwk == k for k in jwks)
    assert [str(ref) for ref in document.assertion_method] == [
        str(m.id) for m in document.verification_method
    ]
    assert [str(ref) for ref in document.authentication] == [str(m.id) for m in document.verification_method]
    assert document.service[0].service_endpoint == f"http://127.0.0.1:8000/api/v1/agents/{agent['id']}/card"
    # did:web resolution: drop the method, ':' -> '/', percent-decode the host, then /did.json.
    host, *path = did.removeprefix("did:web:").split(":")
    assert f"https://{unquote(host)}/{'/'.join(path)}/did.json" == (
        f"https://127.0.0.1:8000/agents/{tenant_id}/{agent['id']}/did.json"
    )


def test_the_did_follows_the_issuer_host(aws, monkeypatch):
    monkeypatch.setenv("TOKEN_ISSUER", "https://id.acme.example")
    reset_settings()
    tenant_id, ctx = new_tenant()
    agent = _agent(ctx)
    _publish(ctx, agent["id"])

    did = _did(tenant_id, agent["id"]).json["id"]

    assert did == f"did:web:id.acme.example:agents:{tenant_id}:{agent['id']}"


def test_the_marketplace_finds_a_published_agent_by_skill_tag_and_text(published):
    tenant_id, _, agent = published

    by_skill = call("GET", "/api/v1/marketplace/agents", query={"q": "reconcile"}).json["items"]
    by_words = call("GET", "/api/v1/marketplace/agents", query={"q": "Matches PAYMENTS"}).json["items"]
    by_tag = call("GET", "/api/v1/marketplace/agents", query={"tag": "finance"}).json["items"]
    nothing = call("GET", "/api/v1/marketplace/agents", query={"q": "weather"}).json["items"]

    assert [a["agent_id"] for a in by_skill] == [agent["id"]]
    assert [a["agent_id"] for a in by_words] == [agent["id"]] == [a["agent_id"] for a in by_tag]
    assert nothing == []
    one = call(
        "GET",
        "/api/v1/marketplace/agents/{tenant_id}/{agent_id}",
        path_params={"tenant_id": tenant_id, "agent_id": agent["id"]},
    )
    assert one.status == 200 and one.json == by_skill[0]


def test_the_public_view_shows_nothing_private(published):
    _, ctx, agent = published
    private = call("GET", "/api/v1/agents/{id}", path_params={"id": agent["id"]}, ctx=ctx).json

    entry = call("GET", "/api/v1/marketplace/agents", query={"q": "invoice"}).json["items"][0]

    assert set(entry) == PUBLIC_FIELDS
    leaked = {
        k
        for k in set(private) - {"name", "description", "version", "tags", "skills", "published_at"}
        if k in entry
    }
    assert leaked == set()
    for secret in ("runs:write", "costs:read", "core", private["audiences"][0], "user:"):
        assert secret not in str(entry)


def test_unpublished_agents_are_not_public_but_their_tenant_sees_the_card(aws):
    tenant_id, ctx = new_tenant()
    agent = _agent(ctx)
    key = call("POST", "/api/v1/api-keys", body={"name": "reader", "scopes": ["agents:read"]}, ctx=ctx).json[
        "key"
    ]

    assert _card(agent["id"]).status == 404
    assert _did(tenant_id, agent["id"]).status == 404
    assert call("GET", "/api/v1/marketplace/agents").json["items"] == []
    own = _card(agent["id"], headers={"Authorization": f"Bearer {key}"})
    assert own.status == 200 and _validate_card(own.json).name == "invoice-bot"
    _, other_ctx = new_tenant("Other")
    other_key = call("POST", "/api/v1/api-keys", body={"name": "r", "scopes": ["agents:read"]}, ctx=other_ctx)
    assert _card(agent["id"], headers={"Authorization": f"Bearer {other_key.json['key']}"}).status == 404
    assert _card(agent["id"], headers={"Authorization": "Bearer agk_forged"}).status == 401


def test_unpublishing_removes_card_did_and_entry_and_both_are_audited(published):
    tenant_id, ctx, agent = published

    reply = _publish(ctx, agent["id"], "unpublish")

    assert reply.status == 200 and reply.json["published"] is False
    assert _card(agent["id"]).status == 404 and _did(tenant_id, agent["id"]).status == 404
    assert call("GET", "/api/v1/marketplace/agents").json["items"] == []
    actions = [e["action"] for e in call("GET", "/api/v1/audit", ctx=ctx).json["items"]]
    assert "agent.published" in actions and "agent.unpublished" in actions


def test_changing_a_published_agent_changes_its_public_entry(published):
    _, ctx, agent = published

    call(
        "PATCH",
        "/api/v1/agents/{id}",
        path_params={"id": agent["id"]},
        body={"description": "Now faster"},
        ctx=ctx,
    )

    assert _card(agent["id"]).json["description"] == "Now faster"
    assert call("GET", "/api/v1/marketplace/agents", query={"q": "faster"}).json["items"]


def test_deleting_a_published_agent_removes_its_entry(published):
    _, ctx, agent = published

    call("DELETE", "/api/v1/agents/{id}", path_params={"id": agent["id"]}, ctx=ctx)

    assert call("GET", "/api/v1/marketplace/agents").json["items"] == []
    assert _card(agent["id"]).status == 404


def test_an_agent_without_skills_or_interfaces_cannot_be_published(aws):
    _, ctx = new_tenant()
    agent = _agent(ctx, skills=[], interfaces=[])
    before = table_items()

    reply = _publish(ctx, agent["id"])

    assert reply.status == 422 and reply.json["error"]["code"] == "card_invalid"
    assert {"skills", "supportedInterfaces"} <= {d["field"] for d in reply.json["error"]["details"]}
    assert table_items() == before


def test_only_admins_publish(aws):
    _, ctx = new_tenant()
    agent = _agent(ctx)

    assert _publish(as_role(ctx, Role.TEAM_LEAD), agent["id"]).status == 403
    assert _publish(as_api_key(ctx, "agents:write"), agent["id"]).status == 403


def test_another_tenant_cannot_publish_or_see_it_under_the_wrong_tenant(published):
    _, _, agent = published
    other_id, other = new_tenant("Other")

    assert _publish(other, agent["id"]).status == 404
    assert _publish(other, agent["id"], "unpublish").status == 404
    assert _did(other_id, agent["id"]).status == 404
    wrong = call(
        "GET",
        "/api/v1/marketplace/agents/{tenant_id}/{agent_id}",
        path_params={"tenant_id": other_id, "agent_id": agent["id"]},
    )
    assert wrong.status == 404


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"skills": [SKILLS[0], SKILLS[0]]}, "skills"),
        ({"skills": [{"id": "x", "name": "X"}]}, "skills.0.description"),
        ({"interfaces": [{"url": "ftp://x"}]}, "interfaces.0.url"),
        ({"audiences": ["not-a-uri"]}, "audiences.0"),
        ({"version": "two words"}, "version"),
    ],
)
def test_bad_card_fields_are_400s_naming_the_field(aws, overrides, field):
    _, ctx = new_tenant()
    body = {"name": "x", **overrides}

    reply = call("POST", "/api/v1/agents", body=body, ctx=ctx)

    assert reply.status == 400, reply.text
    assert field in {d["field"] for d in reply.json["error"]["details"]}


def test_marketplace_pages_and_bad_queries(published):
    _, ctx, _ = published
    for name in ("second", "third"):
        _publish(ctx, _agent(ctx, name=name)["id"])

    first = call("GET", "/api/v1/marketplace/agents", query={"limit": 2}).json
    rest = call("GET", "/api/v1/marketplace/agents", query={"limit": 2, "cursor": first["next_cursor"]}).json

    assert len(first["items"]) == 2 and len(rest["items"]) == 1 and rest["next_cursor"] is None
    assert call("GET", "/api/v1/marketplace/agents", query={"cursor": "garbage"}).status == 400
    assert call("GET", "/api/v1/marketplace/agents", query={"limit": 0}).status == 400

"""Introspection (RFC 7662) and revocation (RFC 7009)."""

from __future__ import annotations

from agentgate.models import AgentItem, RevokedTokenItem
from tests.support.oauth import basic, make_client, post_form, set_status, table_items, token_for


def _as(client) -> dict[str, str]:
    return {"Authorization": basic(client.client_id, client.client_secret)}


def test_a_valid_token_introspects_active_with_its_claims(aws):
    client = make_client(scopes={"runs:write"})
    token = token_for(client)

    reply = post_form("/oauth2/introspect", {"token": token}, _as(client))

    assert reply.status == 200
    body = reply.json
    assert body["active"] is True
    assert body["sub"] == body["agent_id"] == client.agent_id
    assert body["tenant_id"] == client.tenant_id and body["client_id"] == client.client_id
    assert body["scope"] == "runs:write" and body["jti"] and body["exp"] > body["iat"]


def test_garbage_introspects_inactive_and_nothing_else(aws):
    client = make_client()

    reply = post_form("/oauth2/introspect", {"token": "not-a-token"}, _as(client))

    assert reply.status == 200 and reply.json == {"active": False}


def test_another_tenants_token_introspects_inactive(aws):
    owner = make_client()
    stranger = make_client()

    reply = post_form("/oauth2/introspect", {"token": token_for(owner)}, _as(stranger))

    assert reply.json == {"active": False}


def test_a_paused_agents_token_introspects_inactive(aws):
    client = make_client()
    token = token_for(client)
    set_status(AgentItem, client.tenant_id, AgentItem.sk_for(client.agent_id), "paused")

    assert post_form("/oauth2/introspect", {"token": token}, _as(client)).json == {"active": False}


def test_introspection_without_client_authentication_is_invalid_client(aws):
    client = make_client()

    reply = post_form("/oauth2/introspect", {"token": token_for(client)})

    assert reply.status == 401 and reply.json["error"] == "invalid_client"


def test_introspection_without_a_token_is_invalid_request(aws):
    client = make_client()

    reply = post_form("/oauth2/introspect", {}, _as(client))

    assert reply.status == 400 and reply.json["error"] == "invalid_request"
    assert "token" in reply.json["error_description"]


def test_a_revoked_token_introspects_inactive_and_its_jti_expires_with_it(aws):
    client = make_client()
    token = token_for(client)
    active = post_form("/oauth2/introspect", {"token": token}, _as(client)).json

    revoked = post_form("/oauth2/revoke", {"token": token}, _as(client))

    assert revoked.status == 200
    assert post_form("/oauth2/introspect", {"token": token}, _as(client)).json == {"active": False}
    marker = RevokedTokenItem.get(RevokedTokenItem.pk_for(active["jti"]), RevokedTokenItem.SK)
    assert int(marker.expires_at.timestamp()) == active["exp"]


def test_revoking_garbage_is_200_and_writes_nothing(aws):
    client = make_client()
    before = table_items()

    reply = post_form("/oauth2/revoke", {"token": "garbage"}, _as(client))

    assert reply.status == 200
    assert table_items() == before


def test_a_client_cannot_revoke_another_agents_token(aws):
    owner = make_client()
    other = make_client(owner.tenant_id)
    token = token_for(owner)

    reply = post_form("/oauth2/revoke", {"token": token}, _as(other))

    assert reply.status == 200
    assert post_form("/oauth2/introspect", {"token": token}, _as(owner)).json["active"] is True


def test_revocation_with_a_wrong_secret_is_invalid_client_and_revokes_nothing(aws):
    client = make_client()
    token = token_for(client)
    headers = {"Authorization": basic(client.client_id, "ags_wrong")}

    reply = post_form("/oauth2/revoke", {"token": token}, headers)

    assert reply.status == 401 and reply.json["error"] == "invalid_client"
    assert post_form("/oauth2/introspect", {"token": token}, _as(client)).json["active"] is True


def _api_key(tenant_id: str, *scopes: str) -> dict[str, str]:
    from agentgate.schemas.api_keys import ApiKeyCreate
    from agentgate.services import api_keys
    from tests.support.oauth import admin

    created = api_keys.create(admin(tenant_id), ApiKeyCreate(name="introspector", scopes=list(scopes)))
    return {"Authorization": f"Bearer {created.key}"}


def test_an_api_key_with_agents_read_introspects_its_tenants_tokens(aws):
    client = make_client()
    token = token_for(client)

    reply = post_form("/oauth2/introspect", {"token": token}, _api_key(client.tenant_id, "agents:read"))

    assert reply.status == 200 and reply.json["active"] is True
    assert reply.json["sub"] == client.agent_id


def test_an_api_key_without_the_scope_cannot_introspect(aws):
    client = make_client()

    reply = post_form(
        "/oauth2/introspect", {"token": token_for(client)}, _api_key(client.tenant_id, "runs:read")
    )

    assert reply.status == 403 and reply.json["error"] == "insufficient_scope"
    assert "active" not in reply.json


def test_an_unknown_api_key_is_invalid_client(aws):
    client = make_client()

    reply = post_form(
        "/oauth2/introspect", {"token": token_for(client)}, {"Authorization": "Bearer agk_unknown"}
    )

    assert reply.status == 401 and reply.json["error"] == "invalid_client"


def test_an_api_key_with_agents_control_revokes_any_token_of_its_tenant(aws):
    client = make_client()
    token = token_for(client)

    reply = post_form("/oauth2/revoke", {"token": token}, _api_key(client.tenant_id, "agents:control"))

    assert reply.status == 200
    assert post_form("/oauth2/introspect", {"token": token}, _as(client)).json == {"active": False}


def test_an_api_key_of_another_tenant_revokes_nothing(aws):
    client = make_client()
    token = token_for(client)
    stranger = make_client()
    before = table_items()

    reply = post_form("/oauth2/revoke", {"token": token}, _api_key(stranger.tenant_id, "agents:control"))

    assert reply.status == 200
    assert [i for i in table_items() if i["pk"]["S"].startswith("JTI#")] == [
        i for i in before if i["pk"]["S"].startswith("JTI#")
    ]
    assert post_form("/oauth2/introspect", {"token": token}, _as(client)).json["active"] is True

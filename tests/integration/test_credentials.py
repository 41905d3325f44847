"""Agent credentials: created and rotated with the secret shown once, listed without it, revoked."""

from __future__ import annotations

from agentgate.auth.secrets import hash_secret
from agentgate.models import CredentialItem
from agentgate.platform.tenancy import Caller, Principal, Role, TenantContext
from tests.support.api import call
from tests.support.oauth import (
    admin,
    create_credential,
    make_agent,
    make_client,
    make_tenant,
    request_token,
    table_items,
)

CREDENTIALS = "/api/v1/agents/{id}/credentials"
CREDENTIAL = "/api/v1/agents/{id}/credentials/{credential_id}"


def _user(tenant_id: str, role: Role) -> TenantContext:
    return TenantContext(tenant_id=tenant_id, principal=Principal(kind=Caller.USER, id="u1", role=role))


def _api_key(tenant_id: str, *scopes: str) -> TenantContext:
    return TenantContext(
        tenant_id=tenant_id, principal=Principal(kind=Caller.APIKEY, id="k1", scopes=frozenset(scopes))
    )


def test_creating_a_credential_returns_the_secret_once_and_stores_only_its_hash(aws):
    tenant = make_tenant()
    agent = make_agent(tenant)

    reply = create_credential(tenant, agent)

    assert reply.status == 201, reply.text
    body = reply.json
    assert body["client_id"].startswith("agc_") and body["client_secret"].startswith("ags_")
    assert len(body["client_secret"]) >= 43  # 32 random bytes, base64url
    stored = CredentialItem.get(CredentialItem.pk_for(body["client_id"]), CredentialItem.SK)
    assert stored.secret_hash == hash_secret(body["client_secret"])
    assert body["client_secret"] not in str(table_items())


def test_listing_credentials_never_returns_a_secret(aws):
    client = make_client()

    reply = call("GET", CREDENTIALS, path_params={"id": client.agent_id}, ctx=admin(client.tenant_id))

    assert reply.status == 200
    [item] = reply.json["items"]
    assert item["client_id"] == client.client_id and item["status"] == "active"
    assert "client_secret" not in item and client.client_secret not in reply.text


def test_rotation_keeps_the_client_id_and_the_previous_secret_works_during_the_grace_period(aws):
    client = make_client()

    reply = create_credential(client.tenant_id, client.agent_id, {"grace_period_seconds": 3600})

    assert reply.status == 201
    assert reply.json["rotated"] is True and reply.json["client_id"] == client.client_id
    assert request_token(client).status == 200  # the old secret, within its grace period
    client.client_secret = reply.json["client_secret"]
    assert request_token(client).status == 200


def test_after_a_rotation_without_grace_the_previous_secret_is_refused(aws):
    client = make_client()
    old_secret = client.client_secret

    reply = create_credential(client.tenant_id, client.agent_id, {"grace_period_seconds": 0})

    client.client_secret = old_secret
    refused = request_token(client)
    assert refused.status == 401 and refused.json["error"] == "invalid_client"
    client.client_secret = reply.json["client_secret"]
    assert request_token(client).status == 200


def test_a_revoked_credential_gets_no_token_and_is_listed_as_revoked(aws):
    client = make_client()

    reply = call(
        "DELETE",
        CREDENTIAL,
        path_params={"id": client.agent_id, "credential_id": client.credential_id},
        ctx=admin(client.tenant_id),
    )

    assert reply.status == 204 and reply.text == ""
    assert request_token(client).status == 401
    listed = call("GET", CREDENTIALS, path_params={"id": client.agent_id}, ctx=admin(client.tenant_id))
    assert [c["status"] for c in listed.json["items"]] == ["revoked"]


def test_after_a_revocation_a_new_credential_has_a_new_client_id(aws):
    client = make_client()
    call(
        "DELETE",
        CREDENTIAL,
        path_params={"id": client.agent_id, "credential_id": client.credential_id},
        ctx=admin(client.tenant_id),
    )

    reply = create_credential(client.tenant_id, client.agent_id)

    assert reply.status == 201 and reply.json["rotated"] is False
    assert reply.json["client_id"] != client.client_id


def test_a_credential_for_an_unknown_agent_is_404_and_writes_nothing(aws):
    tenant = make_tenant()
    before = table_items()

    reply = create_credential(tenant, "ag_nope")

    assert reply.status == 404
    assert table_items() == before


def test_a_grace_period_beyond_seven_days_is_400_naming_the_field_and_writes_nothing(aws):
    tenant = make_tenant()
    agent = make_agent(tenant)
    before = table_items()

    reply = create_credential(tenant, agent, {"grace_period_seconds": 8 * 24 * 3600})

    assert reply.status == 400
    assert reply.json["error"]["details"][0]["field"] == "grace_period_seconds"
    assert table_items() == before


def test_an_unknown_field_is_400_and_writes_nothing(aws):
    tenant = make_tenant()
    agent = make_agent(tenant)
    before = table_items()

    reply = create_credential(tenant, agent, {"client_secret": "mine"})

    assert reply.status == 400
    assert "client_secret" in reply.json["error"]["message"]
    assert table_items() == before


def test_malformed_json_is_400_and_writes_nothing(aws):
    tenant = make_tenant()
    agent = make_agent(tenant)
    before = table_items()

    reply = call("POST", CREDENTIALS, path_params={"id": agent}, raw_body="{nope", ctx=admin(tenant))

    assert reply.status == 400
    assert table_items() == before


def test_a_bad_cursor_is_400_naming_the_field(aws):
    client = make_client()

    reply = call(
        "GET",
        CREDENTIALS,
        path_params={"id": client.agent_id},
        query={"cursor": "%%%"},
        ctx=admin(client.tenant_id),
    )

    assert reply.status == 400 and reply.json["error"]["details"][0]["field"] == "cursor"


def test_credentials_page_with_a_cursor(aws):
    client = make_client()
    for _ in range(2):  # a revoke then a create: three credentials in all
        listed = call("GET", CREDENTIALS, path_params={"id": client.agent_id}, ctx=admin(client.tenant_id))
        active = next(c for c in listed.json["items"] if c["status"] == "active")
        call(
            "DELETE",
            CREDENTIAL,
            path_params={"id": client.agent_id, "credential_id": active["credential_id"]},
            ctx=admin(client.tenant_id),
        )
        create_credential(client.tenant_id, client.agent_id)

    first = call(
        "GET",
        CREDENTIALS,
        path_params={"id": client.agent_id},
        query={"limit": 2},
        ctx=admin(client.tenant_id),
    )
    second = call(
        "GET",
        CREDENTIALS,
        path_params={"id": client.agent_id},
        query={"limit": 2, "cursor": first.json["next_cursor"]},
        ctx=admin(client.tenant_id),
    )

    ids = [c["credential_id"] for c in first.json["items"] + second.json["items"]]
    assert len(ids) == 3 and len(set(ids)) == 3
    assert ids == sorted(ids, reverse=True)  # newest first


def test_another_tenant_gets_404_on_every_credential_route(aws):
    client = make_client()
    other = admin(make_tenant())
    before = table_items()

    create = call("POST", CREDENTIALS, path_params={"id": client.agent_id}, body={}, ctx=other)
    listed = call("GET", CREDENTIALS, path_params={"id": client.agent_id}, ctx=other)
    revoked = call(
        "DELETE",
        CREDENTIAL,
        path_params={"id": client.agent_id, "credential_id": client.credential_id},
        ctx=other,
    )

    assert (create.status, listed.status, revoked.status) == (404, 404, 404)
    assert table_items() == before
    assert request_token(client).status == 200


def test_a_viewer_may_list_but_not_create_or_revoke(aws):
    client = make_client()
    viewer = _user(client.tenant_id, Role.VIEWER)

    listed = call("GET", CREDENTIALS, path_params={"id": client.agent_id}, ctx=viewer)
    created = call("POST", CREDENTIALS, path_params={"id": client.agent_id}, body={}, ctx=viewer)
    revoked = call(
        "DELETE",
        CREDENTIAL,
        path_params={"id": client.agent_id, "credential_id": client.credential_id},
        ctx=viewer,
    )

    assert (listed.status, created.status, revoked.status) == (200, 403, 403)


def test_an_api_key_needs_agents_write_to_create_and_agents_read_to_list(aws):
    client = make_client()

    read_only = _api_key(client.tenant_id, "agents:read")
    writer = _api_key(client.tenant_id, "agents:write")

    assert call("GET", CREDENTIALS, path_params={"id": client.agent_id}, ctx=read_only).status == 200
    assert (
        call("POST", CREDENTIALS, path_params={"id": client.agent_id}, body={}, ctx=read_only).status == 403
    )
    assert call("POST", CREDENTIALS, path_params={"id": client.agent_id}, body={}, ctx=writer).status == 201


def test_concurrent_first_posts_leave_exactly_one_credential(aws, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    from agentgate.platform.errors import Conflict
    from agentgate.schemas.credentials import CreateCredential
    from agentgate.services.credentials import issue_credential
    from tests.support.atomic_dynamodb import make_requests_atomic

    make_requests_atomic(monkeypatch)
    tenant = make_tenant()
    agent = make_agent(tenant)

    def post(_: int) -> object:
        # The domain call, not the handler: one resolver instance is not shared by threads on Lambda.
        try:
            return issue_credential(admin(tenant), agent, CreateCredential())
        except Conflict as exc:
            return exc

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(post, range(6)))

    created = [r for r in results if not isinstance(r, Conflict) and not r.rotated]  # type: ignore[union-attr]
    assert len(created) == 1
    listed = call("GET", CREDENTIALS, path_params={"id": agent}, ctx=admin(tenant))
    assert [c["credential_id"] for c in listed.json["items"]] == [created[0].credential_id]  # type: ignore[union-attr]

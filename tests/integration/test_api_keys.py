"""Tenant API keys: shown once, stored as a hash, scoped, revocable, last use recorded."""

from datetime import UTC, datetime, timedelta

import pytest

from agentgate.models import ApiKeyLookupItem
from agentgate.platform.tenancy import Caller
from agentgate.schemas.api_keys import API_KEY_SCOPES
from agentgate.services import api_keys
from tests.support.api import call
from tests.support.identity import item_keys, new_tenant, table_items


def create_key(ctx, scopes=("agents:read",), name="ci"):
    return call("POST", "/api/v1/api-keys", body={"name": name, "scopes": list(scopes)}, ctx=ctx)


def test_a_created_key_is_shown_once_and_stored_only_as_its_hash(aws):
    _, owner = new_tenant()

    reply = create_key(owner, ["agents:read", "agents:write"])

    assert reply.status == 201, reply.text
    key = reply.json["key"]
    assert key.startswith("agk_") and len(key) >= 4 + 43  # 256 bits, base64url
    assert key not in str(table_items())
    listed = call("GET", "/api/v1/api-keys", ctx=owner).json["items"]
    assert [k["id"] for k in listed] == [reply.json["id"]]
    assert "key" not in listed[0] and key not in str(listed)
    assert listed[0]["scopes"] == ["agents:read", "agents:write"]
    assert listed[0]["prefix"] == key[:10]


def test_a_key_authenticates_as_its_tenant_with_its_scopes(aws):
    tenant_id, owner = new_tenant()
    created = create_key(owner, ["agents:read", "costs:read"]).json

    ctx = api_keys.authenticate(created["key"])

    assert ctx is not None
    assert ctx.tenant_id == tenant_id
    assert (ctx.principal.kind, ctx.principal.id) == (Caller.APIKEY, created["id"])
    assert ctx.principal.scopes == {"agents:read", "costs:read"}


@pytest.mark.parametrize("key", ["agk_" + "A" * 43, "not-a-key", "", "agk_" + "x" * 500])
def test_an_unknown_or_malformed_key_does_not_authenticate(aws, key):
    assert api_keys.authenticate(key) is None


def test_a_revoked_key_stops_authenticating_and_is_listed_as_revoked(aws):
    _, owner = new_tenant()
    created = create_key(owner).json

    reply = call("DELETE", "/api/v1/api-keys/{id}", path_params={"id": created["id"]}, ctx=owner)

    assert reply.status == 204
    assert api_keys.authenticate(created["key"]) is None
    listed = call("GET", "/api/v1/api-keys", ctx=owner).json["items"]
    assert listed[0]["status"] == "revoked" and listed[0]["revoked_at"]


def test_revoking_twice_is_harmless(aws):
    _, owner = new_tenant()
    created = create_key(owner).json
    call("DELETE", "/api/v1/api-keys/{id}", path_params={"id": created["id"]}, ctx=owner)

    again = call("DELETE", "/api/v1/api-keys/{id}", path_params={"id": created["id"]}, ctx=owner)

    assert again.status == 204


def test_last_use_is_recorded_at_most_once_a_minute(aws):
    _, owner = new_tenant()
    created = create_key(owner).json
    lookup = ApiKeyLookupItem.get(
        ApiKeyLookupItem.pk_for(api_keys.hash_key(created["key"])), ApiKeyLookupItem.SK
    )

    def last_use():  # the last use lives on the lookup, the item the authorizer reads anyway
        return ApiKeyLookupItem.get(lookup.pk, lookup.sk, consistent_read=True).last_used_at

    def listed():
        return call("GET", "/api/v1/api-keys", ctx=owner).json["items"][0]["last_used_at"]

    api_keys.authenticate(created["key"])
    first = last_use()
    api_keys.authenticate(created["key"])
    second = last_use()
    long_ago = datetime.now(UTC) - timedelta(minutes=5)
    lookup.update(actions=[ApiKeyLookupItem.last_used_at.set(long_ago)])
    assert datetime.fromisoformat(listed()) == long_ago  # the listing shows what the lookup holds
    api_keys.authenticate(created["key"])
    third = last_use()

    assert first is not None
    assert second == first  # within the minute: no write
    assert third > first  # the record was older than a minute: written again
    assert datetime.fromisoformat(listed()) == third


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "ci", "scopes": ["agents:destroy"]}, "scopes.0"),
        ({"name": "ci", "scopes": []}, "scopes"),
        ({"name": "", "scopes": ["ingest"]}, "name"),
        ({"name": "x" * 101, "scopes": ["ingest"]}, "name"),
        ({"scopes": ["ingest"]}, "name"),
        ({"name": "ci", "scopes": ["ingest"], "key": "agk_mine"}, "key"),
    ],
    ids=["unknown-scope", "no-scopes", "empty-name", "long-name", "missing-name", "unknown-field"],
)
def test_bad_key_request_is_400_naming_the_field_and_writes_nothing(aws, body, field):
    _, owner = new_tenant()
    before = item_keys()

    reply = call("POST", "/api/v1/api-keys", body=body, ctx=owner)

    assert reply.status == 400
    assert field in {d["field"] for d in reply.json["error"]["details"]}
    assert item_keys() == before


def test_another_tenants_key_cannot_be_revoked(aws):
    _, owner = new_tenant("Acme")
    created = create_key(owner).json
    _, intruder = new_tenant("Globex")

    reply = call("DELETE", "/api/v1/api-keys/{id}", path_params={"id": created["id"]}, ctx=intruder)

    assert reply.status == 404
    assert api_keys.authenticate(created["key"]) is not None
    assert call("GET", "/api/v1/api-keys", ctx=intruder).json["items"] == []


def test_a_key_reaches_only_the_routes_its_scopes_allow(aws):
    _, owner = new_tenant()
    ctx = api_keys.authenticate(create_key(owner, ["agents:read"]).json["key"])

    listed = call("GET", "/api/v1/agents", ctx=ctx)
    created = call("POST", "/api/v1/agents", body={"name": "bot"}, ctx=ctx)
    members = call("GET", "/api/v1/org-members", ctx=ctx)

    assert listed.status == 200
    assert created.status == 403 and created.json["error"]["code"] == "insufficient_scope"
    assert members.status == 403  # a user route needs the admin scope


def test_an_admin_key_may_call_user_routes(aws):
    _, owner = new_tenant()
    ctx = api_keys.authenticate(create_key(owner, ["admin"]).json["key"])

    reply = call("GET", "/api/v1/org-members", ctx=ctx)

    assert reply.status == 200


def test_every_scope_an_api_key_route_needs_is_one_a_key_can_hold():
    from agentgate.routes import ROUTES

    needed = {scope for route in ROUTES if Caller.APIKEY in route.callers for scope in route.scopes}

    assert needed <= set(API_KEY_SCOPES), sorted(needed - set(API_KEY_SCOPES))

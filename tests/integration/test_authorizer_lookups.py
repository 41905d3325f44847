"""One read per authorized request: an API key or a user resolves to tenant, role and tier in one
GetItem of its lookup, which the data layer keeps in step with the key, the membership and the
tenant (tier, usage-plan key, status); a key's last use costs at most one write a minute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agentgate.models import ApiKeyLookupItem, TenantItem, UserItem, tenant_pk
from agentgate.platform.tenancy import Role
from agentgate.services import api_keys
from agentgate.services.authorizer import Unauthenticated, decide
from tests.support.api import call
from tests.support.aws_calls import counting_aws_calls
from tests.support.billing import drain_billing, emulator  # noqa: F401 - a fixture
from tests.support.identity import new_tenant


def _key(ctx, scopes=("agents:read",)) -> str:
    reply = call("POST", "/api/v1/api-keys", body={"name": "k", "scopes": list(scopes)}, ctx=ctx)
    assert reply.status == 201, reply.text
    return reply.json["key"]


def _tenant(tenant_id: str) -> TenantItem:
    return TenantItem.get(tenant_pk(tenant_id), TenantItem.SK, consistent_read=True)


def _invite(ctx, email: str, role: str = "member") -> str:
    reply = call("POST", "/api/v1/org-members", body={"email": email, "role": role}, ctx=ctx)
    assert reply.status == 201, reply.text
    return reply.json["id"]


def _dynamodb(calls) -> dict[str, int]:
    return {name: n for name, n in calls.items() if name.startswith("dynamodb.")}


def test_an_api_key_costs_one_get_item_and_its_first_use_one_write(aws):
    # given a tenant and a fresh API key
    tenant_id, owner = new_tenant()
    key = _key(owner)
    with counting_aws_calls() as calls:
        # when the authorizer sees it for the first time
        first = decide(key)
        first_calls = _dynamodb(calls)
        calls.clear()
        # and again within the minute
        again = decide(key)
        again_calls = _dynamodb(calls)
    # then the first answer cost one read and one write (its last use), the next one read alone
    assert first_calls == {"dynamodb.GetItem": 1, "dynamodb.UpdateItem": 1}
    assert again_calls == {"dynamodb.GetItem": 1}
    # and both carry the tenant, the scopes, the tier and the tenant's usage-plan key
    tenant = _tenant(tenant_id)
    for decision in (first, again):
        assert decision.ctx.tenant_id == tenant_id and decision.ctx.tier == "free"
        assert decision.ctx.principal.scopes == frozenset({"agents:read"})
        assert decision.usage_key == tenant.usage_key and decision.allow


def test_a_keys_last_use_is_written_once_a_minute_and_listed(aws):
    # given a key used a minute and a half ago
    _, owner = new_tenant()
    key = _key(owner)
    lookup = ApiKeyLookupItem.get(ApiKeyLookupItem.pk_for(api_keys.hash_key(key)), ApiKeyLookupItem.SK)
    earlier = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=90)
    lookup.update(actions=[ApiKeyLookupItem.last_used_at.set(earlier)])
    with counting_aws_calls() as calls:
        # when it is used twice now
        decide(key)
        decide(key)
    # then one write recorded this minute's use, and the listing shows it
    assert calls["dynamodb.UpdateItem"] == 1
    listed = call("GET", "/api/v1/api-keys", ctx=owner).json["items"]
    assert datetime.fromisoformat(listed[0]["last_used_at"]) > earlier + timedelta(seconds=60)


def test_a_user_costs_one_get_item(aws):
    # given a signed-up owner
    tenant_id, owner = new_tenant()
    with counting_aws_calls() as calls:
        # when their identity is resolved as the authorizer does
        from agentgate.services import members

        resolved = members.resolve_user(owner.principal.id)
    # then one read gave the tenant, the role, the tier and the usage-plan key
    assert _dynamodb(calls) == {"dynamodb.GetItem": 1}
    assert resolved is not None and resolved.ctx.tenant_id == tenant_id
    assert resolved.ctx.principal.role is Role.OWNER and resolved.ctx.tier == "free"
    assert resolved.facts.usage_key == _tenant(tenant_id).usage_key


def test_a_role_change_reaches_the_users_lookup(aws):
    from agentgate.services import members

    # given an invited member
    _, owner = new_tenant()
    bob = _invite(owner, "bob@acme.test")
    assert members.resolve_user(bob).ctx.principal.role is Role.MEMBER
    # when an admin makes them a viewer
    reply = call(
        "PATCH", "/api/v1/org-members/{id}", path_params={"id": bob}, body={"role": "viewer"}, ctx=owner
    )
    assert reply.status == 200, reply.text
    # then their one read says viewer
    assert members.resolve_user(bob).ctx.principal.role is Role.VIEWER


def test_a_removed_member_resolves_to_nobody(aws):
    from agentgate.services import members

    _, owner = new_tenant()
    bob = _invite(owner, "carol@acme.test")
    assert call("DELETE", "/api/v1/org-members/{id}", path_params={"id": bob}, ctx=owner).status == 204
    assert members.resolve_user(bob) is None


def test_a_revoked_key_is_refused(aws):
    _, owner = new_tenant()
    key = _key(owner)
    decide(key)
    key_id = call("GET", "/api/v1/api-keys", ctx=owner).json["items"][0]["id"]
    reply = call("DELETE", "/api/v1/api-keys/{id}", path_params={"id": key_id}, ctx=owner)
    assert reply.status in (200, 204), reply.text
    with pytest.raises(Unauthenticated):
        decide(key)
    # and its last use, which lived on the deleted lookup, stays on the record
    listed = call("GET", "/api/v1/api-keys", ctx=owner).json["items"][0]
    assert listed["status"] == "revoked" and listed["last_used_at"] is not None


def test_pause_and_resume_reach_every_keys_lookup(aws):
    # given a tenant with one key made before the pause and one made while it is paused
    _, owner = new_tenant()
    before = _key(owner)
    assert call("POST", "/api/v1/emergency/pause-all", body={"reason": "drill"}, ctx=owner).status == 200
    during = _key(owner)
    # then both are denied with the tenant's pause, in one read each
    for key in (before, during):
        with counting_aws_calls() as calls:
            decision = decide(key)
        assert not decision.allow and decision.reason == "tenant paused"
        assert calls["dynamodb.GetItem"] == 1 and "dynamodb.BatchGetItem" not in calls
    # and a person of the paused tenant is still allowed (an admin resumes it)
    user = UserItem.get(UserItem.pk_for(owner.principal.id), UserItem.SK)
    assert user.tenant_status == "paused"
    # when the tenant is resumed, both keys are allowed again
    assert call("POST", "/api/v1/emergency/resume-all", body={"reason": "ok"}, ctx=owner).status == 200
    assert decide(before).allow and decide(during).allow


def test_a_lookup_written_while_the_tenant_changes_is_refused_not_left_stale(aws):
    # given the tenant's tier moved between the key's read of the tenant and its write
    from agentgate.data.principals import TenantFacts, hold_facts
    from agentgate.data.tenant import system_data
    from agentgate.data.transactions import ConditionFailed

    tenant_id, _ = new_tenant()
    data = system_data(tenant_id)
    stale = TenantFacts.of(_tenant(tenant_id))
    _tenant(tenant_id).update(actions=[TenantItem.tier.set("pro")])
    # when a write holds on the facts it read
    with pytest.raises(ConditionFailed) as failed:
        data.transact(lambda tx: hold_facts(tx, data, stale))
    # then it fails on them
    assert "tenant_facts" in failed.value.failed


def test_a_tier_change_from_billing_reaches_keys_and_members(emulator):  # noqa: F811
    from agentgate.services import members
    from tests.integration.test_billing import upgraded

    # given a free tenant with a key and a second member
    tenant_id, owner = new_tenant()
    key = _key(owner)
    bob = _invite(owner, "dave@acme.test", "admin")
    assert decide(key).ctx.tier == "free"
    # when it upgrades to pro through Stripe (checkout, webhook, billing worker)
    upgraded(owner)
    # then the key's and both people's single reads say pro
    assert _tenant(tenant_id).tier == "pro"
    assert decide(key).ctx.tier == "pro"
    assert members.resolve_user(owner.principal.id).ctx.tier == "pro"
    assert members.resolve_user(bob).ctx.tier == "pro"


def test_a_lookup_written_before_it_carried_the_tenant_still_resolves(aws):
    # given a key's lookup as it was stored before it carried the tenant's facts
    tenant_id, owner = new_tenant()
    key = _key(owner)
    lookup = ApiKeyLookupItem.get(ApiKeyLookupItem.pk_for(api_keys.hash_key(key)), ApiKeyLookupItem.SK)
    lookup.update(
        actions=[
            ApiKeyLookupItem.tier.remove(),
            ApiKeyLookupItem.usage_key.remove(),
            ApiKeyLookupItem.tenant_status.remove(),
        ]
    )
    # then the authorizer reads the tenant for it
    decision = decide(key)
    assert decision.ctx.tier == "free" and decision.usage_key == _tenant(tenant_id).usage_key

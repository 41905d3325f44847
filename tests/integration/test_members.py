"""Members: invite, change role or team, remove; the owner rules and the last owner."""

import boto3
import pytest

from agentgate.models import MembershipItem, TenantItem, UserItem
from agentgate.platform.settings import get_settings
from agentgate.platform.tenancy import Role
from agentgate.services import members
from tests.support.api import call
from tests.support.identity import as_api_key, as_role, cognito_emails, item_keys, new_tenant


def invite(ctx, email="bob@acme.test", role="member", team=None):
    body = {"email": email, "role": role} | ({"team": team} if team else {})
    return call("POST", "/api/v1/org-members", body=body, ctx=ctx)


def test_an_admin_invites_a_member_who_gets_a_cognito_user_and_a_membership(aws):
    tenant_id, owner = new_tenant()

    reply = invite(as_role(owner, Role.ADMIN), "Bob@Acme.test", "team_lead", "platform")

    assert reply.status == 201, reply.text
    assert {k: reply.json[k] for k in ("email", "role", "team")} == {
        "email": "bob@acme.test",
        "role": "team_lead",
        "team": "platform",
    }
    assert "bob@acme.test" in cognito_emails()
    ctx = members.context_for_user(reply.json["id"], None)
    assert (ctx.tenant_id, ctx.principal.role, ctx.principal.team) == (tenant_id, Role.TEAM_LEAD, "platform")
    listed = call("GET", "/api/v1/org-members", ctx=as_role(owner, Role.VIEWER)).json["items"]
    assert {m["email"] for m in listed} == {owner.principal.email, "bob@acme.test"}


def test_an_invited_member_sets_a_new_password_at_first_sign_in(aws):
    _, owner = new_tenant()
    invite(owner, "new@acme.test")
    cognito = boto3.client("cognito-idp")
    cognito.admin_set_user_password(
        UserPoolId=get_settings().user_pool_id,
        Username="new@acme.test",
        Password="Temporary-pass-1",
        Permanent=False,
    )
    login = {"email": "new@acme.test", "password": "Temporary-pass-1"}

    without = call("POST", "/api/v1/auth/login", body=login)
    with_new = call("POST", "/api/v1/auth/login", body=login | {"new_password": "A-brand-new-passphrase-2"})

    assert without.status == 403
    assert without.json["error"]["code"] == "new_password_required"
    assert with_new.status == 200, with_new.text
    again = call(
        "POST", "/api/v1/auth/login", body={"email": "new@acme.test", "password": "A-brand-new-passphrase-2"}
    )
    assert again.status == 200


def test_inviting_an_email_that_has_an_account_is_a_conflict(aws):
    _, owner = new_tenant()
    invite(owner, "bob@acme.test")
    before = item_keys()

    reply = invite(owner, "bob@acme.test")

    assert reply.status == 409
    assert item_keys() == before


def test_an_admin_cannot_invite_an_owner(aws):
    _, owner = new_tenant()
    before = item_keys()

    reply = invite(as_role(owner, Role.ADMIN), "boss@acme.test", "owner")

    assert reply.status == 403
    assert reply.json["error"]["code"] == "insufficient_role"
    assert item_keys() == before
    assert "boss@acme.test" not in cognito_emails()


def test_an_owner_invites_another_owner_and_the_owner_count_follows(aws):
    tenant_id, owner = new_tenant()

    reply = invite(owner, "co@acme.test", "owner")

    assert reply.status == 201
    assert TenantItem.get(f"TENANT#{tenant_id}", TenantItem.SK).owner_count == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "x@acme.test", "role": "superuser"}, "role"),
        ({"email": "nope", "role": "member"}, "email"),
        ({"role": "member"}, "email"),
        ({"email": "x@acme.test", "team": "bad/team"}, "team"),
        ({"email": "x@acme.test", "password": "x"}, "password"),
    ],
    ids=["unknown-role", "bad-email", "missing-email", "bad-team", "unknown-field"],
)
def test_bad_invite_is_400_naming_the_field_and_writes_nothing(aws, body, field):
    _, owner = new_tenant()
    before, users = item_keys(), cognito_emails()

    reply = call("POST", "/api/v1/org-members", body=body, ctx=owner)

    assert reply.status == 400
    assert field in {d["field"] for d in reply.json["error"]["details"]}
    assert item_keys() == before
    assert cognito_emails() == users


def test_an_admin_changes_a_members_role_and_team(aws):
    _, owner = new_tenant()
    bob = invite(owner).json["id"]

    reply = call(
        "PATCH",
        "/api/v1/org-members/{id}",
        path_params={"id": bob},
        body={"role": "admin", "team": "ml"},
        ctx=as_role(owner, Role.ADMIN),
    )

    assert reply.status == 200, reply.text
    assert (reply.json["role"], reply.json["team"]) == ("admin", "ml")
    ctx = members.context_for_user(bob, None)
    assert (ctx.principal.role, ctx.principal.team) == (Role.ADMIN, "ml")


def test_a_null_team_removes_the_member_from_their_team(aws):
    _, owner = new_tenant()
    bob = invite(owner, team="ml").json["id"]

    reply = call("PATCH", "/api/v1/org-members/{id}", path_params={"id": bob}, body={"team": None}, ctx=owner)

    assert reply.status == 200
    assert reply.json["team"] is None
    assert members.context_for_user(bob, None).principal.team is None


def test_an_empty_member_update_is_400(aws):
    _, owner = new_tenant()
    bob = invite(owner).json["id"]

    reply = call("PATCH", "/api/v1/org-members/{id}", path_params={"id": bob}, body={}, ctx=owner)

    assert reply.status == 400


def test_an_admin_cannot_promote_anyone_to_owner(aws):
    _, owner = new_tenant()
    bob = invite(owner).json["id"]

    reply = call(
        "PATCH",
        "/api/v1/org-members/{id}",
        path_params={"id": bob},
        body={"role": "owner"},
        ctx=as_role(owner, Role.ADMIN),
    )

    assert reply.status == 403
    assert members.context_for_user(bob, None).principal.role is Role.MEMBER


def test_an_admin_cannot_demote_an_owner(aws):
    _, owner = new_tenant()

    reply = call(
        "PATCH",
        "/api/v1/org-members/{id}",
        path_params={"id": owner.principal.id},
        body={"role": "member"},
        ctx=as_role(owner, Role.ADMIN),
    )

    assert reply.status == 403
    assert members.context_for_user(owner.principal.id, None).principal.role is Role.OWNER


def test_the_last_owner_cannot_be_demoted(aws):
    tenant_id, owner = new_tenant()

    reply = call(
        "PATCH",
        "/api/v1/org-members/{id}",
        path_params={"id": owner.principal.id},
        body={"role": "admin"},
        ctx=owner,
    )

    assert reply.status == 409
    assert reply.json["error"]["code"] == "last_owner"
    assert members.context_for_user(owner.principal.id, None).principal.role is Role.OWNER
    assert TenantItem.get(f"TENANT#{tenant_id}", TenantItem.SK).owner_count == 1


def test_the_last_owner_cannot_be_removed(aws):
    _, owner = new_tenant()
    before = item_keys()

    reply = call("DELETE", "/api/v1/org-members/{id}", path_params={"id": owner.principal.id}, ctx=owner)

    assert reply.status == 409
    assert item_keys() == before


def test_with_two_owners_one_can_step_down(aws):
    tenant_id, owner = new_tenant()
    invite(owner, "co@acme.test", "owner")

    reply = call(
        "PATCH",
        "/api/v1/org-members/{id}",
        path_params={"id": owner.principal.id},
        body={"role": "admin"},
        ctx=owner,
    )

    assert reply.status == 200, reply.text
    assert TenantItem.get(f"TENANT#{tenant_id}", TenantItem.SK).owner_count == 1


def test_removing_a_member_deletes_the_membership_the_lookup_and_the_cognito_user(aws):
    tenant_id, owner = new_tenant()
    bob = invite(owner, "bob@acme.test").json["id"]

    reply = call(
        "DELETE", "/api/v1/org-members/{id}", path_params={"id": bob}, ctx=as_role(owner, Role.ADMIN)
    )

    assert reply.status == 204
    assert members.context_for_user(bob, None) is None
    assert MembershipItem.count(f"TENANT#{tenant_id}", MembershipItem.sk == MembershipItem.sk_for(bob)) == 0
    assert "bob@acme.test" not in cognito_emails()
    with pytest.raises(UserItem.DoesNotExist):
        UserItem.get(UserItem.pk_for(bob), UserItem.SK)


@pytest.mark.parametrize(("method", "body"), [("PATCH", {"role": "viewer"}), ("DELETE", None)])
def test_another_tenants_member_is_not_found(aws, method, body):
    _, owner = new_tenant("Acme")
    bob = invite(owner, "bob@acme.test").json["id"]
    _, intruder = new_tenant("Globex")

    reply = call(method, "/api/v1/org-members/{id}", path_params={"id": bob}, body=body, ctx=intruder)

    assert reply.status == 404
    assert members.context_for_user(bob, None).principal.role is Role.MEMBER


def test_member_changes_are_audited(aws):
    _, owner = new_tenant()
    bob = invite(owner, "bob@acme.test").json["id"]
    call("PATCH", "/api/v1/org-members/{id}", path_params={"id": bob}, body={"role": "viewer"}, ctx=owner)
    call("DELETE", "/api/v1/org-members/{id}", path_params={"id": bob}, ctx=owner)

    log = call("GET", "/api/v1/audit", ctx=owner).json["items"]

    assert [e["action"] for e in log][:3] == ["member.removed", "member.updated", "member.invited"]
    assert {e["target"] for e in log[:3]} == {f"user:{bob}"}
    assert log[0]["actor"] == f"user:{owner.principal.id}"


def test_an_admin_api_key_may_manage_members_but_cannot_make_an_owner(aws):
    _, owner = new_tenant()
    key = as_api_key(owner, "admin")

    ok = invite(key, "bob@acme.test")
    refused = invite(key, "boss@acme.test", "owner")

    assert ok.status == 201
    assert refused.status == 403


def test_two_owners_demoting_each_other_at_once_leave_one_owner(aws, monkeypatch):
    import threading

    from agentgate.platform.errors import Conflict
    from agentgate.schemas.members import MemberUpdate
    from tests.support.atomic_dynamodb import make_requests_atomic

    make_requests_atomic(monkeypatch)
    tenant_id, owner = new_tenant()
    co_owner = members.context_for_user(invite(owner, "co@acme.test", "owner").json["id"], None)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def demote(actor, target_id):
        start.wait()
        try:
            members.update(actor, target_id, MemberUpdate(role=Role.ADMIN))
            outcomes.append("demoted")
        except Conflict as exc:
            outcomes.append(exc.code)

    threads = [
        threading.Thread(target=demote, args=(owner, co_owner.principal.id)),
        threading.Thread(target=demote, args=(co_owner, owner.principal.id)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["demoted", "last_owner"]
    roles = [members.context_for_user(m.principal.id, None).principal.role for m in (owner, co_owner)]
    assert sorted(roles) == [Role.ADMIN, Role.OWNER]
    assert TenantItem.get(f"TENANT#{tenant_id}", TenantItem.SK).owner_count == 1

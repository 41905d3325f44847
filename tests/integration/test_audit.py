"""The audit log: every change appends; the chain stays linear; verify finds tampering and truncation."""

import threading

import pytest

from agentgate.models import AuditEntryItem, AuditHeadItem
from agentgate.services import audit, audit_signing
from tests.support.api import call
from tests.support.atomic_dynamodb import make_requests_atomic
from tests.support.identity import new_tenant


def verify(ctx):
    reply = call("GET", "/api/v1/audit/verify", ctx=ctx)
    assert reply.status == 200, reply.text
    return reply.json


def entries(ctx, **query):
    reply = call("GET", "/api/v1/audit", query=query, ctx=ctx)
    assert reply.status == 200, reply.text
    return reply.json


def append_many(tenant_id, n, action="test.action"):
    for i in range(n):
        audit.append(tenant_id, actor="user:tester", action=action, target=f"thing:{i}", details={"i": i})


def test_signup_starts_the_chain_and_it_verifies(aws):
    _, owner = new_tenant()

    log = entries(owner)["items"]
    result = verify(owner)

    assert [e["action"] for e in log] == ["member.added", "tenant.created"]
    assert [e["seq"] for e in log] == [2, 1]
    assert log[1]["prev_hash"] == audit.GENESIS_HASH and log[0]["prev_hash"] == log[1]["hash"]
    assert result == {
        "valid": True,
        "entries_checked": 2,
        "head_hash": log[0]["hash"],
        "first_bad_entry": None,
        "signed_seq": None,
        "reason": None,
    }


def test_the_log_filters_by_action_actor_and_time_and_pages(aws):
    tenant_id, owner = new_tenant()
    append_many(tenant_id, 5, "agent.created")
    audit.append(tenant_id, actor="apikey:key_1", action="agent.deleted", target="agent:x")
    everything = entries(owner)["items"]
    third_newest = everything[2]["at"]

    assert [e["action"] for e in entries(owner, action="agent.deleted")["items"]] == ["agent.deleted"]
    assert {e["actor"] for e in entries(owner, actor="apikey:key_1")["items"]} == {"apikey:key_1"}
    assert [e["seq"] for e in entries(owner, **{"from": third_newest})["items"]] == [
        e["seq"] for e in everything[:3]
    ]
    assert [e["seq"] for e in entries(owner, to=third_newest)["items"]] == [e["seq"] for e in everything[2:]]
    first = entries(owner, action="agent.created", limit=2)
    second = entries(owner, action="agent.created", limit=2, cursor=first["next_cursor"])
    assert [e["seq"] for e in first["items"] + second["items"]] == [7, 6, 5, 4]


def test_the_log_filters_by_one_entity_or_every_entity_of_a_kind(aws):
    tenant_id, owner = new_tenant()
    append_many(tenant_id, 3, "agent.updated")  # targets thing:0, thing:1, thing:2
    audit.append(tenant_id, actor="user:tester", action="agent.paused", target="agent:agt_1")
    audit.append(tenant_id, actor="user:tester", action="agent.paused", target="agent:agt_10")
    audit.append(tenant_id, actor="user:tester", action="pool.created", target="agentpool:p1")

    one = entries(owner, target="thing:1")["items"]
    kind = entries(owner, target_type="agent")["items"]
    both = entries(owner, target_type="thing", action="agent.updated", target="thing:2")["items"]

    assert [e["target"] for e in one] == ["thing:1"]
    assert [e["target"] for e in kind] == ["agent:agt_10", "agent:agt_1"]  # not agentpool:p1
    assert [e["target"] for e in both] == ["thing:2"]
    assert entries(owner, target="agent:agt")["items"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-01-01T00:00:00"}, "to"),
        ({"limit": "-1"}, "limit"),
        ({"cursor": "bm90LWEta2V5"}, "cursor"),
        ({"tenant_id": "ten_x"}, "tenant_id"),
        ({"target_type": "agent:"}, "target_type"),
        ({"target": ""}, "target"),
    ],
    ids=[
        "bad-from",
        "naive-to",
        "negative-limit",
        "foreign-cursor",
        "unknown-param",
        "bad-kind",
        "empty-target",
    ],
)
def test_bad_audit_query_is_400_naming_the_parameter(aws, query, field):
    _, owner = new_tenant()

    reply = call("GET", "/api/v1/audit", query=query, ctx=owner)

    assert reply.status == 400
    assert field in {d["field"] for d in reply.json["error"]["details"]}


def test_concurrent_appends_stay_one_linear_chain(aws, monkeypatch):
    make_requests_atomic(monkeypatch)
    tenant_id, owner = new_tenant()
    start = threading.Barrier(4)

    def writer(n):
        start.wait()
        for i in range(5):
            audit.append(tenant_id, actor=f"user:w{n}", action="test.concurrent", target=f"t{i}")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    result = verify(owner)
    assert result["valid"] is True
    assert result["entries_checked"] == 2 + 20
    assert AuditHeadItem.get(owner.pk, AuditHeadItem.SK).seq == 22


def test_an_altered_entry_is_found(aws):
    tenant_id, owner = new_tenant()
    append_many(tenant_id, 3)
    entry = AuditEntryItem.get(owner.pk, AuditEntryItem.sk_for(4))
    entry.update(actions=[AuditEntryItem.target.set("thing:forged")])

    result = verify(owner)

    assert (result["valid"], result["first_bad_entry"], result["reason"]) == (False, 4, "entry altered")
    assert result["entries_checked"] == 3


def test_a_deleted_middle_entry_is_found(aws):
    tenant_id, owner = new_tenant()
    append_many(tenant_id, 3)
    AuditEntryItem.get(owner.pk, AuditEntryItem.sk_for(3)).delete()

    result = verify(owner)

    assert (result["valid"], result["first_bad_entry"]) == (False, 3)


def test_a_deleted_tail_is_found_against_the_head(aws):
    tenant_id, owner = new_tenant()
    append_many(tenant_id, 3)
    AuditEntryItem.get(owner.pk, AuditEntryItem.sk_for(5)).delete()

    result = verify(owner)

    assert (result["valid"], result["first_bad_entry"]) == (False, 5)


def test_a_truncated_chain_with_a_rewound_head_is_found_by_the_signed_head(aws):
    tenant_id, owner = new_tenant()
    append_many(tenant_id, 4)
    assert call("GET", "/api/v1/audit/verify", ctx=owner).json["signed_seq"] is None
    assert audit_signing.sign_head(tenant_id) is True
    # An attacker with write access deletes the last two entries and rewinds the head to match.
    for seq in (5, 6):
        AuditEntryItem.get(owner.pk, AuditEntryItem.sk_for(seq)).delete()
    kept = AuditEntryItem.get(owner.pk, AuditEntryItem.sk_for(4))
    AuditHeadItem.get(owner.pk, AuditHeadItem.SK).update(
        actions=[AuditHeadItem.seq.set(4), AuditHeadItem.hash.set(kept.hash)]
    )

    result = verify(owner)

    assert (result["valid"], result["first_bad_entry"], result["signed_seq"]) == (False, 5, 6)
    assert result["reason"] == "chain truncated before the signed head"


def test_a_forged_head_signature_is_found(aws):
    tenant_id, owner = new_tenant()
    audit_signing.sign_head(tenant_id)
    head = AuditHeadItem.get(owner.pk, AuditHeadItem.SK)
    head.update(actions=[AuditHeadItem.signed_hash.set("f" * 64)])

    result = verify(owner)

    assert (result["valid"], result["reason"]) == (False, "head signature invalid")


def test_a_signed_chain_that_grew_afterwards_still_verifies(aws):
    tenant_id, owner = new_tenant()
    audit_signing.sign_head(tenant_id)
    append_many(tenant_id, 2)

    result = verify(owner)

    assert (result["valid"], result["entries_checked"], result["signed_seq"]) == (True, 4, 2)


def test_the_timer_signs_every_head_that_moved_and_only_those(aws):
    from functions import audit_sign_heads
    from infra.local.apigw import LambdaContext

    first_id, first = new_tenant("Acme")
    _, second = new_tenant("Globex")

    signed_now = audit_sign_heads.handler({"source": "aws.events"}, LambdaContext("audit_sign_heads"))
    signed_again = audit_sign_heads.handler({"source": "aws.events"}, LambdaContext("audit_sign_heads"))
    append_many(first_id, 1)
    signed_after_change = audit_sign_heads.handler(
        {"source": "aws.events"}, LambdaContext("audit_sign_heads")
    )

    assert (signed_now, signed_again, signed_after_change) == ({"signed": 2}, {"signed": 0}, {"signed": 1})
    assert verify(first)["signed_seq"] == 3
    assert verify(second)["signed_seq"] == 2


def test_one_tenant_sees_and_verifies_only_its_own_chain(aws):
    tenant_id, owner = new_tenant("Acme")
    append_many(tenant_id, 3)
    _, other = new_tenant("Globex")

    assert {e["target"] for e in entries(other)["items"]}.isdisjoint({f"thing:{i}" for i in range(3)})
    assert verify(other)["entries_checked"] == 2
    AuditEntryItem.get(owner.pk, AuditEntryItem.sk_for(3)).update(actions=[AuditEntryItem.actor.set("x")])
    assert verify(other)["valid"] is True


def test_an_admin_signs_the_head_on_demand_and_verify_checks_it(aws):
    _, owner = new_tenant()

    reply = call("POST", "/api/v1/audit/sign", ctx=owner)

    assert reply.status == 200, reply.text
    assert reply.json["signed_seq"] == 2 and reply.json["signing_key_id"]
    assert reply.json["signed_hash"] == verify(owner)["head_hash"]
    assert verify(owner)["signed_seq"] == 2

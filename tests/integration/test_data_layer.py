"""The tenant-scoped data layer: get-or-404, pages, conditional writes, transactions, batches, changes."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from pynamodb.exceptions import CancellationReason, TransactWriteError, VerboseClientError

from agentgate.data import transactions
from agentgate.data.lookups import find_global, get_global, put_global, query_global
from agentgate.data.pages import listing_page
from agentgate.data.tenant import TenantData, actor_of, tenant_data, tenant_of
from agentgate.data.transactions import ConditionFailed
from agentgate.models import (
    AgentItem,
    AuditEntryItem,
    AuditHeadItem,
    DomainEventItem,
    RevokedTokenItem,
    TenantItem,
)
from agentgate.platform.aws import client
from agentgate.platform.errors import BadRequest, DependencyUnavailable, NotFound
from agentgate.platform.tenancy import Caller, Principal, Role, TenantContext

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _ctx(tenant_id: str) -> TenantContext:
    return TenantContext(tenant_id, Principal(Caller.USER, f"user-{tenant_id}", role=Role.ADMIN))


def _agent(data: TenantData, agent_id: str, **fields) -> AgentItem:
    return data.new(
        AgentItem, AgentItem.sk_for(agent_id), agent_id=agent_id, name=agent_id, created_at=NOW, **fields
    )


@pytest.fixture
def one(aws) -> TenantData:
    return tenant_data(_ctx("t1"))


@pytest.fixture
def two(aws) -> TenantData:
    return tenant_data(_ctx("t2"))


# --- get one item ------------------------------------------------------------------------------


def test_a_tenant_gets_its_own_item_and_a_missing_one_is_not_found(one):
    one.put(_agent(one, "a1"))
    assert one.get(AgentItem, AgentItem.sk_for("a1")).tenant_id == "t1"
    with pytest.raises(NotFound, match=r"No such agent\."):
        one.get(AgentItem, AgentItem.sk_for("nope"), missing="No such agent.")
    assert one.find(AgentItem, AgentItem.sk_for("nope")) is None


def test_another_tenants_item_is_the_same_not_found(one, two):
    one.put(_agent(one, "a1"))
    with pytest.raises(NotFound):
        two.get(AgentItem, AgentItem.sk_for("a1"))
    assert two.batch_get(AgentItem, [AgentItem.sk_for("a1")]) == []


def test_an_item_of_another_tenant_cannot_be_written_through_the_accessor(one, two):
    theirs = _agent(two, "b1")
    with pytest.raises(ValueError, match="another tenant"):
        one.put(theirs)
    with pytest.raises(ValueError, match="another tenant"):
        one.put(_agent(one, "a1", gsi1pk=two.index_key("AGENTS", "TEAM", "red"), gsi1sk="x"))
    assert AgentItem.count() == 0


def test_global_lookups_refuse_a_tenants_key(aws):
    with pytest.raises(ValueError):
        find_global(AgentItem, "TENANT#t1", AgentItem.sk_for("a1"))
    key = RevokedTokenItem.pk_for("j1")
    put_global(RevokedTokenItem(key, RevokedTokenItem.SK, jti="j1", tenant_id="t1", revoked_at=NOW))
    assert get_global(RevokedTokenItem, key, RevokedTokenItem.SK).tenant_id == "t1"
    with pytest.raises(NotFound):
        get_global(RevokedTokenItem, RevokedTokenItem.pk_for("j2"), RevokedTokenItem.SK)
    with pytest.raises(ValueError):
        put_global(AgentItem("TENANT#t1", AgentItem.sk_for("a1"), tenant_id="t1", agent_id="a1", name="a",
                             created_at=NOW))  # fmt: skip


def test_a_global_index_is_read_in_a_key_range_and_its_items_name_their_tenant(one, two):
    for data, hour in ((one, "01"), (two, "02"), (one, "03")):
        data.put(_agent(data, f"a{hour}", gsi1pk="OPEN#AGENTS", gsi1sk=f"2026-01-01T{hour}"))
    due = list(query_global(AgentItem, "OPEN#AGENTS", index="gsi1", sk_to="2026-01-01T02"))
    assert [(tenant_of(a), a.agent_id) for a in due] == [("t1", "a01"), ("t2", "a02")]
    assert [
        a.agent_id for a in query_global(AgentItem, "OPEN#AGENTS", index="gsi1", newest_first=True, limit=1)
    ] == ["a03"]
    with pytest.raises(ValueError, match="TenantData"):
        list(query_global(AgentItem, "TENANT#t1", index="gsi1"))
    with pytest.raises(ValueError, match="not a tenant's item"):
        tenant_of(RevokedTokenItem(RevokedTokenItem.pk_for("j1"), RevokedTokenItem.SK))


# --- pages ---------------------------------------------------------------------------------------


def _all_pages(data: TenantData, **kwargs) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        page = data.page(AgentItem, sk_prefix="AGENT#", cursor=cursor, **kwargs)
        pages.append([item.agent_id for item in page.items])
        cursor = page.next_cursor
        if cursor is None:
            return pages


def test_pages_follow_each_other_until_the_last_which_has_no_cursor(one, two):
    for i in range(5):
        one.put(_agent(one, f"a{i}"))
    two.put(_agent(two, "b1"))
    assert _all_pages(one, limit=2) == [["a0", "a1"], ["a2", "a3"], ["a4"]]
    assert _all_pages(one, limit=5) == [["a0", "a1", "a2", "a3", "a4"]]
    assert _all_pages(one, limit=2, newest_first=True) == [["a4", "a3"], ["a2", "a1"], ["a0"]]


def test_a_filtered_page_is_filled_across_dynamodb_pages(one):
    for i in range(9):
        one.put(_agent(one, f"a{i}", team="red" if i % 3 == 0 else "blue"))
    pages = _all_pages(one, limit=2, filter=AgentItem.team == "red")
    assert pages == [["a0", "a3"], ["a6"]]


def test_an_index_page_reads_the_tenants_index_partition(one, two):
    for i in range(3):
        one.put(_agent(one, f"a{i}", gsi1pk=one.index_key("AGENTS", "TEAM", "red"), gsi1sk=f"{i}"))
    two.put(_agent(two, "b1", gsi1pk=two.index_key("AGENTS", "TEAM", "red"), gsi1sk="0"))
    first = one.page(AgentItem, index="gsi1", index_parts=("AGENTS", "TEAM", "red"), limit=2)
    assert [a.agent_id for a in first.items] == ["a0", "a1"]
    rest = one.page(AgentItem, index="gsi1", index_parts=("AGENTS", "TEAM", "red"), cursor=first.next_cursor)
    assert ([a.agent_id for a in rest.items], rest.next_cursor) == (["a2"], None)


def test_an_index_key_must_be_inside_the_tenant(one, two):
    one.put(_agent(one, "a1", gsi1pk=one.index_key("AGENTS"), gsi1sk="0"))
    found = one.page(AgentItem, index="gsi1", index_key=one.index_key("AGENTS"))
    assert [a.agent_id for a in found.items] == ["a1"]
    with pytest.raises(ValueError):
        one.page(AgentItem, index="gsi1", index_key=two.index_key("AGENTS"))
    with pytest.raises(ValueError):
        list(one.query(AgentItem, index="gsi1", index_key=one.pk))


def test_a_cursor_of_another_tenant_or_listing_is_a_400_naming_cursor(one, two):
    for i in range(3):
        two.put(_agent(two, f"b{i}"))
    theirs = two.page(AgentItem, sk_prefix="AGENT#", limit=1).next_cursor
    assert theirs
    for bad in (theirs, "not-base64!", base64.urlsafe_b64encode(json.dumps([1]).encode()).decode()):
        with pytest.raises(BadRequest) as raised:
            one.page(AgentItem, sk_prefix="AGENT#", cursor=bad)
        assert raised.value.details[0]["field"] == "cursor"


def test_a_cursor_of_another_listing_of_the_same_tenant_is_a_400(one):
    for i in range(3):
        one.put(_agent(one, f"a{i}"))
    agents = one.page(AgentItem, sk_prefix="AGENT#", limit=1).next_cursor
    with pytest.raises(BadRequest):
        one.page(AgentItem, sk_prefix="BUDGET#", cursor=agents)
    with pytest.raises(BadRequest):
        one.page(AgentItem, sk_between=("B", "C"), cursor=agents)


def test_a_count_counts_the_tenants_matching_items_only(one, two):
    for i in range(3):
        one.put(_agent(one, f"a{i}", status="paused" if i else "active"))
    two.put(_agent(two, "b1"))
    assert one.count(AgentItem, sk_prefix=AgentItem.SK_PREFIX) == 3
    assert one.count(AgentItem, sk_prefix=AgentItem.SK_PREFIX, filter=AgentItem.status == "paused") == 2
    assert two.count(AgentItem, sk_prefix=AgentItem.SK_PREFIX) == 1


def test_a_listing_held_in_memory_pages_by_key_with_the_one_cursor_codec(aws):
    words = ["ant", "bee", "cat", "cow", "dog", "eel"]
    first = listing_page(words, key=str, listing="words", limit=2, cursor=None, keep=lambda w: w != "bee")
    assert first.items == ["ant", "cat"] and first.next_cursor
    second = listing_page(words, key=str, listing="words", limit=2, cursor=first.next_cursor)
    assert second.items == ["cow", "dog"]
    last = listing_page(words, key=str, listing="words", limit=2, cursor=second.next_cursor)
    assert last.items == ["eel"] and last.next_cursor is None
    with pytest.raises(BadRequest) as raised:
        listing_page(words, key=str, listing="other", limit=2, cursor=first.next_cursor)
    assert raised.value.details[0]["field"] == "cursor"


def test_a_page_never_exceeds_the_limit_bound(one):
    for i in range(4):
        one.put(_agent(one, f"a{i}"))
    assert len(one.page(AgentItem, sk_prefix="AGENT#", limit=3, max_limit=2).items) == 2


# --- conditional writes ------------------------------------------------------------------------


def test_a_failed_condition_raises_the_callers_answer_or_a_conflict(one):
    agent = one.put(_agent(one, "a1"), AgentItem.pk.does_not_exist())
    with pytest.raises(ConditionFailed) as raised:
        one.put(_agent(one, "a1"), AgentItem.pk.does_not_exist())
    assert raised.value.status == 409 and raised.value.failed == {"item"}
    gone = one.ref(AgentItem, AgentItem.sk_for("zz"))
    with pytest.raises(NotFound):
        one.update(
            gone, [AgentItem.name.set("x")], AgentItem.pk.exists(), or_raise=NotFound("No such agent.")
        )
    assert one.find(AgentItem, AgentItem.sk_for("zz")) is None
    one.update(agent, [AgentItem.name.set("renamed")], AgentItem.pk.exists())
    assert agent.name == "renamed" and one.get(AgentItem, agent.sk).name == "renamed"
    with pytest.raises(NotFound):
        one.delete(gone, AgentItem.pk.exists(), or_raise=NotFound("No such agent."))
    one.delete(agent, AgentItem.pk.exists())
    assert one.find(AgentItem, agent.sk) is None


# --- transactions --------------------------------------------------------------------------------


def _tenant(data: TenantData, count: int) -> None:
    data.put(data.new(TenantItem, TenantItem.SK, name="Org", created_at=NOW, agent_count=count))


def test_a_transaction_names_the_step_whose_condition_failed_and_writes_nothing(one):
    _tenant(one, 2)

    def create(tx):
        tx.put(_agent(one, "a1"), AgentItem.pk.does_not_exist(), name="agent")
        counter = one.ref(TenantItem, TenantItem.SK)
        tx.update(counter, [TenantItem.agent_count.add(1)], TenantItem.agent_count < 2, name="limit")

    with pytest.raises(ConditionFailed) as raised:
        one.transact(create)
    assert raised.value.failed == {"limit"}
    assert one.find(AgentItem, AgentItem.sk_for("a1")) is None


def test_a_transaction_commits_every_step_and_returns_what_it_built(one):
    _tenant(one, 0)
    one.put(_agent(one, "a0"))

    def create(tx):
        tx.update(one.ref(TenantItem, TenantItem.SK), [TenantItem.agent_count.add(1)], name="limit")
        tx.put(_agent(one, "a1"), AgentItem.pk.does_not_exist())
        tx.check(one.ref(AgentItem, AgentItem.sk_for("a0")), AgentItem.status == "active")
        return "a1"

    assert one.transact(create) == "a1"
    assert one.get(TenantItem, TenantItem.SK).agent_count == 1 and one.find(AgentItem, AgentItem.sk_for("a1"))


def _conflict() -> TransactWriteError:
    cause = VerboseClientError(
        {"Error": {"Code": "TransactionCanceledException", "Message": "conflict"}},
        "TransactWriteItems",
        cancellation_reasons=[CancellationReason(code="TransactionConflict")],
    )
    return TransactWriteError("cancelled", cause=cause)


@pytest.fixture
def conflicts(monkeypatch):
    """DynamoDB cancels the first ``left[0]`` sends of any transaction for a conflict."""
    left = [0]
    send = transactions.Transaction._send

    def losing_send(self):
        if left[0] > 0:
            left[0] -= 1
            raise _conflict()
        send(self)

    monkeypatch.setattr(transactions.Transaction, "_send", losing_send)
    monkeypatch.setattr(transactions.retries, "pause_before_retry", lambda attempt: None)
    return left


def test_a_transaction_that_lost_a_race_is_rebuilt_and_sent_again(one, conflicts):
    conflicts[0] = 2
    built = []

    def create(tx):
        built.append(1)
        tx.put(_agent(one, "a1"))

    one.transact(create)
    assert len(built) == 3 and one.find(AgentItem, AgentItem.sk_for("a1"))


def test_a_transaction_that_keeps_losing_is_a_503_with_retry_after(one, conflicts):
    conflicts[0] = 100
    with pytest.raises(DependencyUnavailable) as raised:
        one.transact(lambda tx: tx.put(_agent(one, "a1")), attempts=3, busy_message="Agents are busy.")
    assert raised.value.headers == {"Retry-After": "1"} and raised.value.message == "Agents are busy."
    assert conflicts[0] == 97 and one.find(AgentItem, AgentItem.sk_for("a1")) is None


def test_a_transaction_refuses_another_tenants_item(one, two):
    with pytest.raises(ValueError, match="another tenant"):
        one.transact(lambda tx: tx.put(_agent(two, "b1")))


def test_a_stale_read_is_built_again_when_the_transaction_asks_for_it(one):
    _tenant(one, 0)
    reads = []

    def bump(tx):
        seen = one.get(TenantItem, TenantItem.SK, consistent=True).agent_count
        reads.append(seen)
        if len(reads) == 1:  # another writer moves the item between this read and the send
            one.update(one.ref(TenantItem, TenantItem.SK), [TenantItem.agent_count.add(5)])
        tx.update(
            one.ref(TenantItem, TenantItem.SK),
            [TenantItem.agent_count.set(seen + 1)],
            TenantItem.agent_count == seen,
            name="count",
        )
        return seen + 1

    assert one.transact(bump, retry_conditions=True) == 6
    assert reads == [0, 5] and one.get(TenantItem, TenantItem.SK).agent_count == 6


def test_a_read_that_keeps_going_stale_is_a_503_and_without_the_option_a_conflict(one, monkeypatch):
    _tenant(one, 0)
    monkeypatch.setattr(transactions.retries, "pause_before_retry", lambda attempt: None)
    builds = []

    def never_current(tx):
        builds.append(1)
        tx.update(
            one.ref(TenantItem, TenantItem.SK), [TenantItem.agent_count.add(1)], TenantItem.agent_count == 99
        )

    with pytest.raises(DependencyUnavailable, match="Tenant busy"):
        one.transact(never_current, attempts=3, busy_message="Tenant busy.", retry_conditions=True)
    assert len(builds) == 3
    with pytest.raises(ConditionFailed) as failed:
        one.transact(never_current)
    assert failed.value.failed == {"#0"} and len(builds) == 4
    assert one.get(TenantItem, TenantItem.SK).agent_count == 0


def test_a_transaction_the_table_refuses_for_good_is_refused_with_its_code_not_retried(one, monkeypatch):
    sends = []

    def refused_send(self):
        sends.append(1)
        raise TransactWriteError(
            "refused",
            cause=VerboseClientError(
                {"Error": {"Code": "ValidationException", "Message": "item too large"}}, "TransactWriteItems"
            ),
        )

    monkeypatch.setattr(transactions.Transaction, "_send", refused_send)
    with pytest.raises(transactions.TransactionRefused) as refused:
        one.transact(lambda tx: tx.put(_agent(one, "a1")), retry_conditions=True)
    assert refused.value.code == "ValidationException" and sends == [1]


# --- batches --------------------------------------------------------------------------------------


def test_batches_write_and_read_many_items_retrying_the_unprocessed(one, monkeypatch):
    dynamodb = client("dynamodb")
    real_write, real_get = dynamodb.batch_write_item, dynamodb.batch_get_item
    calls = {"write": 0, "get": 0}
    monkeypatch.setattr("agentgate.data.retries.pause_before_retry", lambda attempt: None)

    def half_write(RequestItems):
        calls["write"] += 1
        ((table, requests),) = RequestItems.items()
        keep, later = requests[: max(1, len(requests) // 2)], requests[max(1, len(requests) // 2) :]
        real_write(RequestItems={table: keep})
        return {"UnprocessedItems": {table: later} if later else {}}

    def half_get(RequestItems):
        calls["get"] += 1
        ((table, request),) = RequestItems.items()
        keys = request["Keys"]
        keep, later = keys[: max(1, len(keys) // 2)], keys[max(1, len(keys) // 2) :]
        answer = real_get(RequestItems={table: {**request, "Keys": keep}})
        return {**answer, "UnprocessedKeys": {table: {**request, "Keys": later}} if later else {}}

    monkeypatch.setattr(dynamodb, "batch_write_item", half_write)
    monkeypatch.setattr(dynamodb, "batch_get_item", half_get)
    agents = [_agent(one, f"a{i:02d}") for i in range(30)]
    one.batch_write(puts=agents)
    assert AgentItem.count() == 30 and calls["write"] > 2
    wanted = [AgentItem.sk_for(f"a{i:02d}") for i in (29, 3, 17, 99)]
    assert [a.agent_id for a in one.batch_get(AgentItem, wanted)] == ["a29", "a03", "a17"]
    one.batch_write(deletes=agents[:10])
    assert AgentItem.count() == 20 and calls["get"] > 1


def test_a_write_counted_once_adds_to_its_counters_once(one):
    seen = one.new(AuditHeadItem, AuditHeadItem.SK, seq=0, hash="h")
    counter = (AgentItem.sk_for("counter"), {"version": 2}, {"name": "counted"})
    assert one.write_counted(seen, [counter]) is True
    assert one.write_counted(one.new(AuditHeadItem, AuditHeadItem.SK, seq=0, hash="h"), [counter]) is False
    stored = one.get(AgentItem, AgentItem.sk_for("counter"))
    assert (stored.version, stored.name) == (2, "counted")
    with pytest.raises(ValueError, match="another tenant"):
        one.write_counted(_agent(TenantData.acting_for("t2", "system"), "b1"), [counter])


# --- a change of state -----------------------------------------------------------------------------


def _audit(tenant_id: str) -> list[AuditEntryItem]:
    return list(AuditEntryItem.query(f"TENANT#{tenant_id}", AuditEntryItem.sk.startswith("AUDIT#0")))


def _events(tenant_id: str) -> list[DomainEventItem]:
    return list(DomainEventItem.query(f"TENANT#{tenant_id}", DomainEventItem.sk.startswith("EVENT#")))


def test_a_change_is_written_audited_and_emitted_in_one_call(one):
    agent = _agent(one, "a1")
    result = one.record(
        lambda: one.put(agent),
        action="agent.paused",
        target="agent:a1",
        details={"reason": "test"},
        event="agent.paused",
        event_data={"agent_id": "a1"},
    )
    assert result is agent and one.find(AgentItem, agent.sk)
    (entry,) = _audit("t1")
    assert (entry.actor, entry.action, entry.target, entry.details) == (
        actor_of(one.ctx), "agent.paused", "agent:a1", {"reason": "test"}
    )  # fmt: skip
    (event,) = _events("t1")
    assert (event.type, event.data) == ("agent.paused", {"agent_id": "a1"})


def test_a_write_that_fails_records_no_audit_entry_and_no_event(one):
    one.put(_agent(one, "a1"))
    with pytest.raises(ConditionFailed):
        one.record(
            lambda: one.put(_agent(one, "a1"), AgentItem.pk.does_not_exist()),
            action="agent.created",
            target="agent:a1",
            event="agent.paused",
        )
    assert _audit("t1") == [] and _events("t1") == []


def test_the_platform_records_changes_under_its_own_actor(aws):
    data = TenantData.acting_for("t1", "budget:bud_1")
    data.record(None, action="agent.paused", target="agent:a1")
    (entry,) = _audit("t1")
    assert entry.actor == "budget:bud_1" and _events("t1") == []

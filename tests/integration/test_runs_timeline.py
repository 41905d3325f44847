"""A run's timeline, embedded in the run item: paged with a cursor, bounded in size, and the timeline of
a run stored before events were embedded (one item per event) still read."""

import random
from datetime import UTC, datetime, timedelta

from agentgate.data.tenant import system_data
from agentgate.models import RunEventItem, RunItem, tenant_pk
from agentgate.services import run_events
from tests.integration.test_runs_helpers import Stream, apikey, make_agent, run_body, user
from tests.support.api import call

START = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def _ingest(tenant: str, body: dict) -> None:
    make_agent(tenant, "a1")
    assert call("POST", "/api/v1/ingest/run", body=body, ctx=apikey(tenant, {"ingest"})).status == 202
    stream = Stream()
    stream.read()
    assert not stream.deliver().retried_from


def _events(tenant: str, run_id: str, **query: object):
    return call(
        "GET", "/api/v1/events/{run_id}", path_params={"run_id": run_id}, query=query, ctx=user(tenant)
    )


def test_a_timeline_is_paged_in_time_order_with_a_cursor_bound_to_its_run(aws):
    # given a run with five events sent out of order
    events = [
        {"event_id": f"e{n}", "type": "step", "timestamp": (START + timedelta(seconds=5 - n)).isoformat(),
         "payload": {"n": n}}
        for n in range(5)
    ]  # fmt: skip
    _ingest("t-tl", run_body("r-tl", agent_id="a1", events=events))
    # when it is read two events a page
    pages, cursor = [], None
    while True:
        reply = _events("t-tl", "r-tl", limit=2, **({"cursor": cursor} if cursor else {}))
        assert reply.status == 200, reply.text
        pages.append([(e["seq"], e["event_id"], e["payload"]) for e in reply.json["items"]])
        cursor = reply.json["next_cursor"]
        if cursor is None:
            break
    # then the pages hold every event once, in time order, numbered from 0
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [e for p in pages for e in p] == [(n, f"e{4 - n}", {"n": 4 - n}) for n in range(5)]
    # and a cursor of this run's timeline is refused on a cursor of another listing
    first = _events("t-tl", "r-tl", limit=2).json["next_cursor"]
    refused = call("GET", "/api/v1/runs", query={"cursor": first}, ctx=user("t-tl"))
    assert refused.status == 400 and "cursor" in refused.text


def test_a_timeline_too_large_for_the_item_keeps_every_event_without_its_payload(aws):
    # given a run whose events' payloads, compressed, exceed what the item keeps for them
    rng = random.Random(7)
    noise = [rng.randbytes(10_000).hex() for _ in range(12)]  # 20 KB each, compressing to about half
    events = [
        {"event_id": f"e{n}", "type": "step", "timestamp": (START + timedelta(seconds=n)).isoformat(),
         "payload": {"blob": noise[n]}}
        for n in range(12)
    ]  # fmt: skip
    stored = run_events.encode(
        [{**e, "seq": n, "timestamp": datetime.fromisoformat(e["timestamp"])} for n, e in enumerate(events)]
    )
    assert stored is not None and len(stored) <= run_events.MAX_EMBEDDED_EVENTS_BYTES
    # when the timeline is decoded
    decoded = run_events.decode(stored)
    # then every event is there, its payload replaced by a marker with its size
    assert [e["event_id"] for e in decoded] == [f"e{n}" for n in range(12)]
    assert all(e["payload"]["truncated"] is True and e["payload"]["bytes"] > 20_000 for e in decoded)


def test_a_run_stored_with_one_item_per_event_still_reads_its_timeline(aws):
    # given a run stored before events were embedded: no events attribute, its events as items
    data = system_data("t-old")
    run = data.new(
        RunItem, RunItem.sk_for("r-old"), run_id="r-old", agent_id="a1", status="success",
        start_time=START, event_count=2, content_hash="h", received_at=START, stored_at=START,
    )  # fmt: skip
    run.save()
    for seq in range(2):
        data.new(
            RunEventItem, RunEventItem.sk_for("r-old", seq), run_id="r-old", seq=seq, event_id=f"old{seq}",
            type="step", timestamp=START + timedelta(seconds=seq),
        ).save()  # fmt: skip
    # when its timeline is read
    reply = _events("t-old", "r-old")
    # then its events are the items'
    assert reply.status == 200, reply.text
    assert [e["event_id"] for e in reply.json["items"]] == ["old0", "old1"]
    assert RunItem.get(tenant_pk("t-old"), RunItem.sk_for("r-old")).events is None

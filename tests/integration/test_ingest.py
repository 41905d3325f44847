"""Ingestion: validation and limits answer 4xx with nothing put on the stream; runs go on the stream."""

import json

import pytest

from agentgate.platform.aws import client
from agentgate.platform.settings import get_settings
from agentgate.schemas.runs import MAX_EVENTS_PER_RUN, MAX_REQUEST_BYTES
from agentgate.tools.kinesis_events import read_stream
from tests.integration.test_runs_helpers import agent, apikey, make_agent, run_body, user
from tests.support.api import call


def _on_stream() -> list[dict]:
    return [json.loads(r["Data"]) for r in read_stream(client("kinesis"), get_settings().runs_stream)]


@pytest.fixture
def tenant(aws):
    make_agent("t1", "a1", team="red")
    make_agent("t2", "b1")
    return "t1"


def test_an_agent_ingests_its_own_run_and_it_goes_on_the_stream_keyed_by_tenant_and_agent(tenant):
    reply = call("POST", "/api/v1/ingest/run", body=run_body("r1"), ctx=agent("t1", "a1", team="red"))
    assert reply.status == 202 and reply.json == {"run_id": "r1", "status": "accepted"}
    records = read_stream(client("kinesis"), get_settings().runs_stream)
    assert [r["PartitionKey"] for r in records] == ["t1:a1"]
    envelope = json.loads(records[0]["Data"])
    assert envelope["tenant_id"] == "t1" and envelope["agent_id"] == "a1" and envelope["team"] == "red"


def test_an_agent_cannot_ingest_for_another_agent(tenant):
    reply = call("POST", "/api/v1/ingest/run", body=run_body("r1", agent_id="a2"), ctx=agent("t1", "a1"))
    assert reply.status == 403 and reply.json["error"]["code"] == "agent_mismatch"
    assert _on_stream() == []


def test_an_api_key_must_name_an_agent(tenant):
    reply = call("POST", "/api/v1/ingest/run", body=run_body("r1"), ctx=apikey("t1", {"ingest"}))
    assert reply.status == 400 and reply.json["error"]["details"][0]["field"] == "agent_id"
    assert _on_stream() == []


def test_an_api_key_naming_another_tenants_agent_gets_404(tenant):
    reply = call(
        "POST", "/api/v1/ingest/run", body=run_body("r1", agent_id="b1"), ctx=apikey("t1", {"ingest"})
    )
    assert reply.status == 404
    assert _on_stream() == []


def test_an_api_key_without_the_ingest_scope_is_refused(tenant):
    reply = call(
        "POST", "/api/v1/ingest/run", body=run_body("r1", agent_id="a1"), ctx=apikey("t1", {"runs:read"})
    )
    assert reply.status == 403
    assert _on_stream() == []


def test_a_user_cannot_ingest(tenant):
    assert (
        call("POST", "/api/v1/ingest/run", body=run_body("r1", agent_id="a1"), ctx=user("t1")).status == 403
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": "finished"}, "status"),
        ({"start_time": "yesterday"}, "start_time"),
        ({"start_time": "2026-01-10T12:00:00"}, "start_time"),  # no time zone
        ({"token_usage": {"input": -1}}, "token_usage.input"),
        ({"run_id": ""}, "run_id"),
        ({"run_id": "has spaces"}, "run_id"),
        ({"unexpected": 1}, "unexpected"),
        ({"end_time": "2026-01-10T11:00:00Z"}, "body"),
        ({"events": [{"event_id": "e", "type": "t", "timestamp": "2026-01-10T12:00:00Z"}] * 2}, "body"),
        (
            {
                "events": [
                    {"event_id": f"e{n}", "type": "t", "timestamp": "2026-01-10T12:00:00Z"}
                    for n in range(MAX_EVENTS_PER_RUN + 1)
                ]
            },
            "events",
        ),
    ],
)
def test_a_bad_run_is_a_400_naming_the_field_and_nothing_is_put(tenant, change, field):
    reply = call("POST", "/api/v1/ingest/run", body={**run_body("r1"), **change}, ctx=agent("t1", "a1"))
    assert reply.status == 400, reply.text
    assert field in {d["field"] for d in reply.json["error"]["details"]}
    assert _on_stream() == []


def test_malformed_json_is_a_400(tenant):
    reply = call("POST", "/api/v1/ingest/run", raw_body="{not json", ctx=agent("t1", "a1"))
    assert reply.status == 400
    assert _on_stream() == []


def test_a_request_over_5_mb_is_a_413_and_nothing_is_put(tenant):
    big = run_body("r1", input="x" * MAX_REQUEST_BYTES)
    reply = call("POST", "/api/v1/ingest/run", body=big, ctx=agent("t1", "a1"))
    assert reply.status == 413 and reply.json["error"]["code"] == "request_too_large"
    assert _on_stream() == []


def test_a_run_over_1_mb_is_a_413(tenant):
    reply = call(
        "POST", "/api/v1/ingest/run", body=run_body("r1", output="y" * 1_100_000), ctx=agent("t1", "a1")
    )
    assert reply.status == 413 and reply.json["error"]["code"] == "run_too_large"
    assert _on_stream() == []


def test_a_batch_answers_207_with_a_result_per_run_and_puts_only_the_good_ones(tenant):
    runs = [
        run_body("ok-1"),
        run_body("bad", status="nope"),
        run_body("ok-2"),
        run_body("other", agent_id="zz"),
    ]
    reply = call("POST", "/api/v1/ingest/batch", body={"runs": runs}, ctx=agent("t1", "a1"))
    assert reply.status == 207
    assert [(r["run_id"], r["status"]) for r in reply.json["results"]] == [
        ("ok-1", 202),
        ("bad", 400),
        ("ok-2", 202),
        ("other", 403),
    ]
    assert reply.json["results"][1]["error"]["details"][0]["field"] == "status"
    assert [e["run"]["run_id"] for e in _on_stream()] == ["ok-1", "ok-2"]


def test_a_batch_of_more_than_500_runs_is_a_400_and_nothing_is_put(tenant):
    reply = call("POST", "/api/v1/ingest/batch", body={"runs": [run_body(f"r{n}") for n in range(501)]},
                 ctx=agent("t1", "a1"))  # fmt: skip
    assert reply.status == 400 and reply.json["error"]["details"][0]["field"] == "runs"
    assert _on_stream() == []


def test_an_empty_batch_is_a_400(tenant):
    assert call("POST", "/api/v1/ingest/batch", body={"runs": []}, ctx=agent("t1", "a1")).status == 400


def test_failed_stream_entries_are_retried_alone(tenant):
    # given a stream that reports the second entry of the first PutRecords call as throttled
    kinesis = client("kinesis")
    sizes: list[int] = []

    def count(params, **kwargs):
        sizes.append(len(params["Records"]))

    def refuse_second_entry_once(parsed, **kwargs):
        if len(sizes) == 1:
            parsed["FailedRecordCount"] = 1
            parsed["Records"][1] = {
                "ErrorCode": "ProvisionedThroughputExceededException",
                "ErrorMessage": "slow",
            }

    kinesis.meta.events.register("provide-client-params.kinesis.PutRecords", count)
    kinesis.meta.events.register("after-call.kinesis.PutRecords", refuse_second_entry_once)
    try:
        # when three runs are ingested
        runs = [run_body("r1"), run_body("r2"), run_body("r3")]
        reply = call("POST", "/api/v1/ingest/batch", body={"runs": runs}, ctx=agent("t1", "a1"))
    finally:
        kinesis.meta.events.unregister("provide-client-params.kinesis.PutRecords", count)
        kinesis.meta.events.unregister("after-call.kinesis.PutRecords", refuse_second_entry_once)
    # then all are accepted, and the second call carried only the failed entry
    assert reply.status == 207 and reply.json["accepted"] == 3
    assert sizes == [3, 1]
    assert sorted(e["run"]["run_id"] for e in _on_stream()) == ["r1", "r2", "r2", "r3"]

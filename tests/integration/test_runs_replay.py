"""The replay command feeds dead-lettered records back onto their stream; the consumer stores them once."""

import base64
from datetime import UTC, datetime

from agentgate.models import RunItem, tenant_pk
from agentgate.platform.aws import client
from agentgate.platform.settings import get_settings
from agentgate.schemas.runs import RunEnvelope
from agentgate.services.runs import dead_letter
from agentgate.tools import replay_runs_dlq
from agentgate.tools.kinesis_events import read_stream
from tests.integration.test_runs_helpers import Stream, dead_letters, run_body


def test_a_poison_record_is_dead_lettered_with_its_payload_and_replayed_as_it_was(aws):
    # given a record the consumer refused
    client("kinesis").put_record(
        StreamName=get_settings().runs_stream, Data=b"not json", PartitionKey="t1:a1"
    )
    stream = Stream()
    stream.read()
    stream.deliver()
    [letter] = dead_letters()
    assert letter["reason"].startswith("invalid:") and base64.b64decode(letter["data"]) == b"not json"
    # when it is replayed
    report = replay_runs_dlq.replay()
    # then it is back on the stream with its partition key, and the queue is empty
    assert report.replayed == 1
    records = read_stream(client("kinesis"), get_settings().runs_stream)
    assert [(r["Data"], r["PartitionKey"]) for r in records] == [(b"not json", "t1:a1")] * 2
    assert dead_letters() == []


def test_a_replayed_run_is_stored_once(aws, capsys):
    # given a valid run that was dead-lettered (say, while a bug was being fixed)
    envelope = RunEnvelope(tenant_id="t1", agent_id="a1", received_at=datetime.now(UTC), run=run_body("r1"))
    data = base64.b64encode(envelope.model_dump_json().encode()).decode()
    dead_letter("runs", data, "refused by the table: bug", partition_key="t1:a1", sequence_number="1")
    # when the command replays it twice over (the second run finds nothing) and the consumer runs twice
    assert replay_runs_dlq.main([]) == 0 and replay_runs_dlq.main([]) == 0
    assert "replayed 1 record(s)" in capsys.readouterr().out
    stream = Stream()
    stream.read()
    stream.deliver()
    stream.deliver()
    # then the run is stored once
    stored = list(RunItem.query(tenant_pk("t1"), RunItem.sk.startswith("RUN#")))
    assert [r.run_id for r in stored] == ["r1"]


def test_a_dry_run_changes_nothing(aws):
    dead_letter("runs", "eA==", "invalid: x", partition_key="k", sequence_number="1")
    report = replay_runs_dlq.replay(dry_run=True)
    assert report.replayed == 1 and report.reasons == ["invalid: x"]
    assert read_stream(client("kinesis"), get_settings().runs_stream) == []
    assert [m["reason"] for m in dead_letters()] == ["invalid: x"]

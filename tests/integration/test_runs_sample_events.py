"""The sample Kinesis batches under events/ go through the real consumers as AWS would deliver them."""

import json
from pathlib import Path

from agentgate.models import AnalyticsHourItem, RunItem, tenant_pk
from agentgate.services import run_events
from infra.local.apigw import LambdaContext
from tests.integration.test_runs_helpers import dead_letters

EVENTS = Path(__file__).resolve().parents[2] / "events"


def test_the_sample_runs_batch_stores_the_run_and_dead_letters_the_poison_record(aws):
    from functions.runs_consumer import handler

    event = json.loads((EVENTS / "kinesis_runs.json").read_text())
    response = handler(event, LambdaContext("runs_consumer"))
    assert response == {"batchItemFailures": []}
    run = RunItem.get(tenant_pk("t-sample"), RunItem.sk_for("run-sample-1"))
    # claude-sonnet-4-5: 1,800 x 3 + 420 x 15 + 12,000 x 0.30 = 5,400 + 6,300 + 3,600 = 15,300 per million
    assert str(run.cost_usd) == "0.01530000" and run.latency_ms == 1250 and run.team == "support"
    # and its timeline is embedded in the run item (one get reads both)
    assert [e["event_id"] for e in run_events.decode(run.events)] == ["e1", "e2"]
    [letter] = dead_letters()
    assert letter["sequence_number"] == event["Records"][1]["kinesis"]["sequenceNumber"]
    assert letter["data"] == event["Records"][1]["kinesis"]["data"]


def test_the_sample_analytics_batch_is_counted_in_its_hour(aws):
    from functions.analytics_consumer import handler

    event = json.loads((EVENTS / "kinesis_analytics.json").read_text())
    assert handler(event, LambdaContext("analytics_consumer")) == {"batchItemFailures": []}
    hour = AnalyticsHourItem.get(
        tenant_pk("t-sample"), AnalyticsHourItem.sk_for("2026-11-23T09", "token_issued", "agent-sample")
    )
    assert hour.hits == 1

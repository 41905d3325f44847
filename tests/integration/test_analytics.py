"""Analytics: records on the stream, hourly counters counted once, daily rollups, routes, usage, tenancy."""

from datetime import UTC, datetime, timedelta

import pytest

from agentgate.models import AnalyticsDayItem, tenant_pk
from agentgate.platform.aws import client
from agentgate.platform.settings import get_settings
from agentgate.services import analytics
from agentgate.tiers import tier_limits
from infra.local.apigw import LambdaContext
from tests.integration.test_runs_helpers import Stream, dead_letters, make_agent, make_tenant, user
from tests.support.api import call

T1 = user("t1")


@pytest.fixture
def recorded(aws):
    make_tenant("t1", tier="pro")
    make_agent("t1", "a1")
    make_agent("t1", "a2")
    for _ in range(3):
        analytics.record("t1", "token_issued", agent_id="a1", grant_type="client_credentials")
    analytics.record("t1", "token_issued", agent_id="a2")
    analytics.record("t1", "api_call", agent_id="a1", route="GET /api/v1/runs", status=200)
    analytics.record("t1", "api_call", agent_id="a1", route="GET /api/v1/runs", status=429)
    analytics.record("t1", "authorization", agent_id="a2", decision="deny")
    analytics.record("t2", "token_issued", agent_id="b1")
    stream = Stream(name="analytics", consumer="analytics_consumer")
    stream.read()
    stream.deliver()
    return stream


def test_token_issuance_is_counted_by_day(recorded):
    trend = call("GET", "/api/v1/analytics/tokens", query={"days": 7}, ctx=T1).json
    assert trend["total"] == 4 and len(trend["by_day"]) == 7 and trend["by_day"][-1]["tokens_issued"] == 4


def test_a_redelivered_batch_is_counted_once(recorded):
    recorded.deliver()
    assert call("GET", "/api/v1/analytics/tokens", ctx=T1).json["total"] == 4


def test_the_heatmap_counts_activity_by_agent_and_hour(recorded):
    heatmap = call("GET", "/api/v1/analytics/heatmap", ctx=T1).json
    hour = datetime.now(UTC).hour
    rows = {row["agent_id"]: row for row in heatmap["agents"]}
    assert rows["a1"]["total"] == 5 and rows["a1"]["hours"][hour] == 5
    assert rows["a2"]["total"] == 2 and len(rows["a2"]["hours"]) == 24


def test_usage_compares_api_calls_with_the_tiers_quota(recorded):
    usage = call("GET", "/api/v1/analytics/usage", ctx=T1).json
    assert usage["daily_quota"] == tier_limits("pro").daily_quota
    assert usage["today"]["api_calls"] == 2 and usage["today"]["api_errors"] == 1
    tier = call("GET", "/api/v1/usage", ctx=T1).json
    assert tier["agents"] == {"used": 2, "limit": tier_limits("pro").agent_limit}
    assert tier["api_calls"] == {"used": 2, "quota": tier_limits("pro").daily_quota}
    assert tier["token_issuances"] == {"used": 4}


def test_the_daily_rollup_folds_yesterdays_hours_into_one_item(recorded):
    # when the timer fires tomorrow after midnight
    fired = (datetime.now(UTC) + timedelta(days=1)).replace(hour=0, minute=15)
    from functions.analytics_rollup import handler

    result = handler({"time": fired.isoformat().replace("+00:00", "Z")}, LambdaContext("analytics_rollup"))
    # then today's rollup exists for each active tenant, with the tier's retention
    assert result["tenants"] == 2
    today = datetime.now(UTC).date().isoformat()
    rollup = AnalyticsDayItem.get(tenant_pk("t1"), AnalyticsDayItem.sk_for(today))
    assert rollup.tokens_issued == 4 and rollup.authorizations_denied == 1 and rollup.api_errors == 1
    assert rollup.expires_at.date() == (datetime.now(UTC) + timedelta(days=90)).date()


def test_a_poison_analytics_record_goes_to_the_dead_letter_queue(aws):
    client("kinesis").put_record(
        StreamName=get_settings().analytics_stream, Data=b"\x00garbage", PartitionKey="t1"
    )
    stream = Stream(name="analytics", consumer="analytics_consumer")
    stream.read()
    assert stream.deliver().retried_from == []
    letters = dead_letters()
    assert len(letters) == 1 and letters[0]["stream"] == "analytics"


def test_an_unknown_kind_is_refused_by_the_recorder():
    with pytest.raises(ValueError, match="unknown analytics kind"):
        analytics.record("t1", "mystery")


def test_another_tenant_sees_none_of_the_first_tenants_analytics(recorded):
    other = user("t2")
    assert call("GET", "/api/v1/analytics/tokens", ctx=other).json["total"] == 1
    assert [r["agent_id"] for r in call("GET", "/api/v1/analytics/heatmap", ctx=other).json["agents"]] == [
        "b1"
    ]
    assert call("GET", "/api/v1/analytics/usage", ctx=other).json["today"]["api_calls"] == 0
    assert call("GET", "/api/v1/usage", ctx=other).json["agents"]["used"] == 0


@pytest.mark.parametrize("query", [{"days": "0"}, {"days": "91"}, {"days": "x"}, {"since": "1"}])
def test_a_bad_analytics_query_is_a_400(recorded, query):
    assert call("GET", "/api/v1/analytics/tokens", query=query, ctx=T1).status == 400

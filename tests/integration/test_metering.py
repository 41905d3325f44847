"""Metering: every call through a route's function is counted for its tenant today, and only those."""

from agentgate.tiers import tier_limits
from tests.integration.test_runs_helpers import Stream, make_agent, make_tenant, user
from tests.support.api import call
from tests.support.identity import new_tenant

T1 = user("t1")


def _usage(ctx):
    """Deliver what is on the analytics stream, then read the usage (the read itself is counted later)."""
    stream = Stream(name="analytics", consumer="analytics_consumer")
    stream.read()
    stream.deliver()  # a redelivery of records already counted is counted once
    reply = call("GET", "/api/v1/usage", ctx=ctx)
    assert reply.status == 200, reply.text
    return reply.json


def test_twenty_calls_are_twenty_more_api_calls_today(aws):
    make_tenant("t1", tier="pro")
    make_agent("t1", "a1")
    before = _usage(T1)["api_calls"]["used"]

    for _ in range(20):
        assert call("GET", "/api/v1/agents", ctx=T1).status == 200
    after = _usage(T1)

    # the 20 calls, plus the first usage read (counted once it was answered)
    assert after["api_calls"]["used"] == before + 20 + 1
    assert after["api_calls"]["quota"] == tier_limits("pro").daily_quota
    assert after["period"]["end"] > after["period"]["start"]


def test_a_refused_call_counts_and_another_tenants_calls_do_not(aws):
    make_tenant("t1", tier="pro")
    _, other = new_tenant("Globex")
    before = _usage(T1)["api_calls"]["used"]

    assert call("GET", "/api/v1/agents/{id}", path_params={"id": "agt_missing"}, ctx=T1).status == 404
    for _ in range(5):
        call("GET", "/api/v1/agents", ctx=other)
    after = _usage(T1)["api_calls"]["used"]

    assert after == before + 1 + 1


def test_public_calls_without_a_tenant_are_not_metered(aws):
    make_tenant("t1", tier="pro")
    before = _usage(T1)["api_calls"]["used"]

    for _ in range(3):
        assert call("GET", "/health").status == 200

    assert _usage(T1)["api_calls"]["used"] == before + 1

"""A tenant's negotiated price overrides the shipped table for that tenant only."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from agentgate.models import PriceOverrideItem, RunItem, tenant_pk
from agentgate.platform.tenancy import Role
from tests.integration.test_runs_helpers import Stream, agent, make_agent, run_body, table_items, user
from tests.support.api import call


def test_a_tenant_override_prices_that_tenants_runs_and_is_named_in_price_version(aws):
    # given t1 negotiated gpt-4o at 1 USD in / 4 USD out per million; t2 did not
    make_agent("t1", "a1")
    make_agent("t2", "b1")
    PriceOverrideItem(
        tenant_pk("t1"),
        PriceOverrideItem.sk_for("openai", "gpt-4o*"),
        provider="openai",
        model_pattern="gpt-4o*",
        effective_from="2025-01-01",
        input_per_million=Decimal("1"),
        output_per_million=Decimal("4"),
        cache_read_per_million=Decimal("0.5"),
        cache_write_per_million=Decimal("1"),
        label="contract-2025",
    ).save()
    now = datetime.now(UTC).isoformat()
    usage = {"input": 1_000_000, "output": 500_000}
    for tenant_id, agent_id in (("t1", "a1"), ("t2", "b1")):
        body = run_body("r1", start_time=now, end_time=now, token_usage=usage)
        assert call("POST", "/api/v1/ingest/run", body=body, ctx=agent(tenant_id, agent_id)).status == 202
    # when the runs are consumed
    stream = Stream()
    stream.read()
    stream.deliver()
    # then t1 pays 1 + 2 = 3 USD under its contract, t2 the list price 2.50 + 5 = 7.50 USD
    mine = RunItem.get(tenant_pk("t1"), RunItem.sk_for("r1"))
    theirs = RunItem.get(tenant_pk("t2"), RunItem.sk_for("r1"))
    assert (mine.cost_usd, mine.price_version) == (Decimal("3"), "tenant:contract-2025")
    assert theirs.cost_usd == Decimal("7.5") and theirs.price_version == "2026-11-01"


PRICE = {
    "provider": "openai",
    "model_pattern": "gpt-4o*",
    "effective_from": "2025-01-01",
    "input_per_million": "1",
    "output_per_million": "4",
    "cache_read_per_million": "0.5",
    "cache_write_per_million": "1",
    "label": "contract-2025",
}


def test_an_admin_sets_a_price_override_and_it_prices_the_next_runs(aws):
    make_agent("t1", "a1")
    reply = call("PUT", "/api/v1/costs/prices", body=PRICE, ctx=user("t1"))
    assert reply.status == 200, reply.text
    assert reply.json["price_version"] == "tenant:contract-2025" and reply.json["input_per_million"] == "1"
    listed = call("GET", "/api/v1/costs/prices", ctx=user("t1", Role.VIEWER)).json["items"]
    assert [p["model_pattern"] for p in listed] == ["gpt-4o*"]
    now = datetime.now(UTC).isoformat()
    body = run_body("r1", start_time=now, end_time=now, token_usage={"input": 1_000_000})
    call("POST", "/api/v1/ingest/run", body=body, ctx=agent("t1", "a1"))
    stream = Stream()
    stream.read()
    stream.deliver()
    assert RunItem.get(tenant_pk("t1"), RunItem.sk_for("r1")).cost_usd == Decimal("1")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"provider": "acme"}, "provider"),
        ({"model_pattern": "GPT 4"}, "model_pattern"),
        ({"input_per_million": "-1"}, "input_per_million"),
        ({"effective_from": "soon"}, "effective_from"),
        ({"label": ""}, "label"),
        ({"discount": "5"}, "discount"),
    ],
)
def test_a_bad_price_override_is_a_400_and_nothing_is_written(aws, change, field):
    before = len(table_items())
    reply = call("PUT", "/api/v1/costs/prices", body={**PRICE, **change}, ctx=user("t1"))
    assert reply.status == 400 and field in {d["field"] for d in reply.json["error"]["details"]}
    assert len(table_items()) == before


def test_only_an_admin_sets_prices_and_another_tenant_sees_none(aws):
    assert call("PUT", "/api/v1/costs/prices", body=PRICE, ctx=user("t1", Role.MEMBER)).status == 403
    assert call("PUT", "/api/v1/costs/prices", body=PRICE, ctx=user("t1")).status == 200
    assert call("GET", "/api/v1/costs/prices", ctx=user("t2")).json["items"] == []

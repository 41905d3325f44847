"""A tenant's negotiated price overrides the shipped table for that tenant only."""

from datetime import UTC, datetime
from decimal import Decimal

from agentgate.models import PriceOverrideItem, RunItem, tenant_pk
from tests.integration.test_runs_helpers import Stream, agent, make_agent, run_body
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

"""Cost accuracy against hand-computed cases (USD per million tokens, Decimal throughout)."""

from datetime import date
from decimal import Decimal

import pytest

from agentgate.pricing import ModelPrice, TokenCounts, price_table

TABLE = price_table()


def _cost(model, provider, day, **tokens):
    return TABLE.price_run(model, provider, date.fromisoformat(day), TokenCounts(**tokens))


def test_gpt_4o_input_and_output_are_priced_per_million():
    # 1,000 x 2.50 + 500 x 10.00 = 2,500 + 5,000 = 7,500 per million -> 0.0075
    costing = _cost("gpt-4o", "openai", "2026-01-10", input=1000, output=500)
    assert costing.cost_usd == Decimal("0.0075")
    assert costing.price_version == TABLE.version and not costing.unpriced


def test_anthropic_cache_reads_and_writes_are_priced_at_their_own_rates():
    # claude-sonnet-4-5: 3 in, 15 out, 0.30 cache read, 3.75 cache write
    # 2,000 x 3 + 1,000 x 15 + 10,000 x 0.30 + 4,000 x 3.75
    # = 6,000 + 15,000 + 3,000 + 15,000 = 39,000 per million -> 0.039
    costing = _cost("claude-sonnet-4-5-20250929", "anthropic", "2026-01-10",
                    input=2000, output=1000, cache_read=10000, cache_write=4000)  # fmt: skip
    assert costing.cost_usd == Decimal("0.039")


def test_openai_cached_input_costs_half_and_cache_writes_cost_the_input_rate():
    # gpt-4o: 1.25 cached, 2.50 write. 1,000,000 x 1.25 + 200,000 x 2.50 = 1,250,000 + 500,000 -> 1.75
    costing = _cost("gpt-4o", "openai", "2026-01-10", cache_read=1_000_000, cache_write=200_000)
    assert costing.cost_usd == Decimal("1.75")


def test_the_most_specific_pattern_wins():
    # gpt-4o-mini (0.15 / 0.60), not gpt-4o: 1,000,000 x 0.15 + 1,000,000 x 0.60 -> 0.75
    assert _cost("gpt-4o-mini", "openai", "2026-01-10", input=10**6, output=10**6).cost_usd == Decimal("0.75")
    # o3-mini (1.10 / 4.40), not o3 (2 / 8)
    assert _cost("o3-mini", None, "2026-01-10", input=10**6).cost_usd == Decimal("1.1")


def test_the_price_in_force_at_the_run_start_is_used():
    # o3 cost 10 / 40 until 2025-06-10, then 2 / 8
    assert _cost("o3", "openai", "2025-06-09", input=10**6, output=10**6).cost_usd == Decimal("50")
    assert _cost("o3", "openai", "2025-06-10", input=10**6, output=10**6).cost_usd == Decimal("10")


def test_bedrock_model_ids_with_a_cross_region_prefix_are_priced():
    # nova-pro: 0.80 in, 3.20 out, 0.20 cache read.
    # 500 x 0.8 + 250 x 3.2 + 1,000 x 0.2 = 400 + 800 + 200 -> 0.0014
    costing = _cost("us.amazon.nova-pro-v1:0", "amazon-bedrock", "2026-01-10",
                    input=500, output=250, cache_read=1000)  # fmt: skip
    assert costing.cost_usd == Decimal("0.0014")


def test_small_costs_keep_eight_decimal_places():
    # gemini-2.5-flash: 0.30 in. 1 token -> 0.0000003
    assert _cost("gemini-2.5-flash", "google", "2026-01-10", input=1).cost_usd == Decimal("0.00000030")
    # mistral-small: 0.10 in, 0.30 out; cache tokens at the input rate.
    # 3 x 0.1 + 1 x 0.3 + 2 x 0.1 = 0.8 -> 0.0000008
    assert _cost(
        "mistral-small-latest", "mistral", "2026-01-10", input=3, output=1, cache_read=2
    ).cost_usd == Decimal("0.0000008")


@pytest.mark.parametrize(
    ("model", "provider"),
    [("in-house-llm", "acme"), ("gpt-4o", "anthropic"), (None, "openai"), ("gpt-4o", "openai-but-wrong")],
)
def test_an_unknown_model_is_unpriced_never_zero(model, provider):
    costing = _cost(model, provider, "2026-01-10", input=1000, output=1000)
    assert costing.cost_usd is None and costing.unpriced and costing.price_version is None


def test_a_model_before_its_first_price_is_unpriced():
    assert _cost("gpt-5", "openai", "2025-08-06", input=1000).unpriced


def test_a_tenant_override_beats_the_table_and_names_its_version():
    override = ModelPrice("openai", "gpt-4o*", date(2025, 1, 1), Decimal("1"), Decimal("2"), Decimal("0.5"),
                          Decimal("1"), version="tenant:negotiated-2025")  # fmt: skip
    costing = TABLE.price_run("gpt-4o", "openai", date(2026, 1, 10), TokenCounts(input=10**6, output=10**6),
                              overrides=(override,))  # fmt: skip
    assert costing.cost_usd == Decimal("3") and costing.price_version == "tenant:negotiated-2025"


def test_the_table_covers_the_five_providers():
    assert {p.provider for p in TABLE.prices} == {"openai", "anthropic", "google", "mistral", "bedrock"}

"""The price table against published prices, checked by hand (USD per million tokens).

Each expected figure is worked out from the provider's public price page, not read from the
table: input, output, cache reads, 5-minute and 1-hour cache writes, long-context tiers and
batch rates. Runs start after the vendored map took effect, so its exact entries apply.
"""

import importlib.util
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from agentgate.pricing import PRICE_FILE, TokenCounts, price_table

ROOT = Path(__file__).resolve().parents[2]
DAY = date(2026, 12, 15)
TABLE = price_table()


def _cost(model, provider, batch=False, **tokens):
    return TABLE.price_run(model, provider, DAY, TokenCounts(**tokens), batch=batch)


@pytest.mark.parametrize(
    ("model", "provider", "tokens", "expected"),
    [
        # OpenAI gpt-5: 1.25 in, 0.125 cached, 10 out.
        # 10,000 x 1.25 + 40,000 x 0.125 + 2,000 x 10 = 12,500 + 5,000 + 20,000 = 37,500 -> 0.0375
        ("gpt-5", "openai", {"input": 10_000, "cache_read": 40_000, "output": 2_000}, "0.0375"),
        # OpenAI gpt-4.1: 2 in, 0.50 cached, 8 out. 1M x 2 + 1M x 0.5 + 1M x 8 -> 10.5
        ("gpt-4.1", "openai", {"input": 10**6, "cache_read": 10**6, "output": 10**6}, "10.5"),
        # Anthropic Claude Opus 4.5: 5 in, 25 out, 0.50 read, 6.25 write (5 min), 10 write (1 h).
        # 1,000 x 5 + 500 x 25 + 20,000 x 0.5 + 4,000 x 6.25 + 2,000 x 10
        # = 5,000 + 12,500 + 10,000 + 25,000 + 20,000 = 72,500 -> 0.0725
        (
            "claude-opus-4-5",
            "anthropic",
            {
                "input": 1_000,
                "output": 500,
                "cache_read": 20_000,
                "cache_write": 4_000,
                "cache_write_1h": 2_000,
            },
            "0.0725",
        ),
        # Anthropic Claude Haiku 4.5: 1 in, 5 out, 0.10 read, 1.25 write.
        # 3,000 x 1 + 1,000 x 5 + 10,000 x 0.1 + 1,000 x 1.25 = 3,000 + 5,000 + 1,000 + 1,250 -> 0.01025
        (
            "claude-haiku-4-5",
            "anthropic",
            {"input": 3_000, "output": 1_000, "cache_read": 10_000, "cache_write": 1_000},
            "0.01025",
        ),
        # Google Gemini 2.5 Pro up to 200k prompt tokens: 1.25 in, 10 out, 0.125 cached.
        # 100,000 x 1.25 + 50,000 x 0.125 + 1,000 x 10 = 125,000 + 6,250 + 10,000 -> 0.14125
        (
            "gemini-2.5-pro",
            "gcp.gemini",
            {"input": 100_000, "cache_read": 50_000, "output": 1_000},
            "0.14125",
        ),
        # ... above 200k: 2.50 in, 15 out, 0.25 cached, for every token of the call.
        # 150,000 x 2.5 + 100,000 x 0.25 + 1,000 x 15 = 375,000 + 25,000 + 15,000 -> 0.415
        ("gemini-2.5-pro", "google", {"input": 150_000, "cache_read": 100_000, "output": 1_000}, "0.415"),
        # Google Gemini 2.5 Flash: 0.30 in, 2.50 out, 0.03 cached.
        # 10,000 x 0.3 + 10,000 x 0.03 + 1,000 x 2.5 = 3,000 + 300 + 2,500 -> 0.0058
        (
            "models/gemini-2.5-flash",
            "google",
            {"input": 10_000, "cache_read": 10_000, "output": 1_000},
            "0.0058",
        ),
        # Mistral Large 3 (mistral-large-latest): 0.50 in, 1.50 out. 1M + 1M -> 2
        ("mistral-large-latest", "mistral_ai", {"input": 10**6, "output": 10**6}, "2"),
        # Bedrock Claude Sonnet 4.5 (on demand): 3 in, 15 out, 0.30 read, 3.75 write.
        # 2,000 x 3 + 1,000 x 15 + 10,000 x 0.3 + 4,000 x 3.75 = 6,000 + 15,000 + 3,000 + 15,000 -> 0.039
        (
            "anthropic.claude-sonnet-4-5-20250929-v1:0",
            "aws.bedrock",
            {"input": 2_000, "output": 1_000, "cache_read": 10_000, "cache_write": 4_000},
            "0.039",
        ),
        # ... above 200k prompt tokens: 6 in, 22.50 out, 0.60 read.
        # 150,000 x 6 + 60,000 x 0.6 + 1,000 x 22.5 = 900,000 + 36,000 + 22,500 -> 0.9585
        (
            "anthropic.claude-sonnet-4-5-20250929-v1:0",
            "bedrock",
            {"input": 150_000, "cache_read": 60_000, "output": 1_000},
            "0.9585",
        ),
        # Bedrock Amazon Nova Pro through a US inference profile: 0.80 in, 3.20 out, 0.20 cached.
        # 500 x 0.8 + 250 x 3.2 + 1,000 x 0.2 = 400 + 800 + 200 -> 0.0014
        (
            "us.amazon.nova-pro-v1:0",
            "aws.bedrock",
            {"input": 500, "output": 250, "cache_read": 1_000},
            "0.0014",
        ),
        # Azure OpenAI gpt-4o (global): 2.50 in, 10 out, 1.25 cached.
        # 4,000 x 2.5 + 8,000 x 1.25 + 1,000 x 10 = 10,000 + 10,000 + 10,000 -> 0.03
        ("gpt-4o", "azure.ai.openai", {"input": 4_000, "cache_read": 8_000, "output": 1_000}, "0.03"),
        # Azure OpenAI gpt-5: 1.25 in, 10 out, 0.125 cached. 1M x 0.125 + 100,000 x 10 -> 1.125
        ("gpt-5", "azure", {"cache_read": 10**6, "output": 100_000}, "1.125"),
    ],
)
def test_published_prices_with_cache_tokens(model, provider, tokens, expected):
    costing = _cost(model, provider, **tokens)
    assert costing.cost_usd == Decimal(expected), (model, provider, costing)
    assert costing.price_version == TABLE.source_version


def test_batch_rates_are_half_the_standard_rates_where_published():
    # OpenAI gpt-5 batch: 0.625 in, 5 out. 1M x 0.625 + 1M x 5 -> 5.625
    assert _cost("gpt-5", "openai", batch=True, input=10**6, output=10**6).cost_usd == Decimal("5.625")
    # Anthropic Opus 4.5 batch: 2.50 in, 12.50 out, 0.25 read, 3.125 write. 1M each of in/out/read/write
    # = 2.5 + 12.5 + 0.25 + 3.125 = 18.375
    costing = _cost("claude-opus-4-5", "anthropic", batch=True, input=10**6, output=10**6, cache_read=10**6,
                    cache_write=10**6)  # fmt: skip
    assert costing.cost_usd == Decimal("18.375")


def test_the_breakdown_names_each_bucket_and_adds_up():
    costing = _cost("claude-opus-4-5", "anthropic", input=1_000, output=500, cache_read=20_000,
                    cache_write=4_000, cache_write_1h=2_000)  # fmt: skip
    assert costing.breakdown == {
        "input": Decimal("0.005"),
        "output": Decimal("0.0125"),
        "cache_read": Decimal("0.01"),
        "cache_write": Decimal("0.025"),
        "cache_write_1h": Decimal("0.02"),
    }
    assert sum(costing.breakdown.values()) == costing.cost_usd


@pytest.mark.parametrize(
    ("model", "provider"),
    [("in-house-llm", None), ("gpt-5", "anthropic"), ("llama3", "ollama"), ("gpt-4o", "openai-but-wrong")],
)
def test_a_model_without_a_price_is_unpriced_never_zero(model, provider):
    # ollama's models carry a zero price in the map: "not known", never free
    costing = _cost(model, provider, input=1000, output=1000)
    assert costing.unpriced and costing.cost_usd is None


def test_a_zero_in_the_map_falls_back_to_the_curated_price():
    # codestral-latest is 0 / 0 in the map; the curated codestral* entry (0.30 / 0.90) prices it:
    # 1,000 x 0.3 + 1,000 x 0.9 = 1,200 per million -> 0.0012
    assert _cost("codestral-latest", "mistral", input=1000, output=1000).cost_usd == Decimal("0.0012")


def test_a_name_with_a_provider_prefix_is_priced_by_that_provider():
    price = TABLE.lookup("openai/gpt-5", None, DAY)
    assert price is not None and price.provider == "openai" and price.input == Decimal("1.25")


def test_the_curated_history_still_prices_runs_before_the_map():
    # o3 cost 10 / 40 until 2025-06-10 (curated); the map only knows today's 2 / 8
    assert TABLE.price_run("o3", "openai", date(2025, 6, 9), TokenCounts(input=10**6)).cost_usd == Decimal(
        "10"
    )
    assert TABLE.price_run("o3", "openai", DAY, TokenCounts(input=10**6)).cost_usd == Decimal("2")


def test_the_table_prices_thousands_of_models_from_a_pinned_source():
    source = json.loads((ROOT / "pricing" / "source.json").read_text())
    shipped = json.loads(PRICE_FILE.read_text())
    assert (
        shipped["source"]["sha256"] == source["sha256"] and shipped["source"]["version"] == source["version"]
    )
    assert sum(len(rows) for rows in shipped["models"].values()) > 3000
    assert len(shipped["prices"]) == 47  # the curated entries


def test_the_shipped_table_is_what_the_vendored_map_and_curated_entries_build():
    spec = importlib.util.spec_from_file_location("build_prices", ROOT / "pricing" / "build_prices.py")
    assert spec and spec.loader
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    assert PRICE_FILE.read_text() == build.render(build.build(*build.load_inputs())), "run `make prices`"

"""GET /api/v1/prices: the public price table, filtered and paged."""

from decimal import Decimal

from tests.support.api import call


def _list(**query):
    reply = call("GET", "/api/v1/prices", query=query)
    assert reply.status == 200, reply.text
    return reply.json


def test_anyone_sees_a_models_prices_per_bucket_with_its_source(aws):
    page = _list(q="claude-opus-4-5", provider="anthropic", limit=100)
    exact = next(p for p in page["items"] if p["model_pattern"] == "claude-opus-4-5")
    assert exact["source"] == "map" and exact["version"] == "litellm-1.110.2"
    buckets = ("input", "output", "cache_read", "cache_write", "cache_write_1h")
    prices = [Decimal(exact[f"{b}_per_million"]) for b in buckets]
    assert prices == [5, 25, Decimal("0.5"), Decimal("6.25"), 10]
    assert Decimal(exact["batch"]["input_per_million"]) == Decimal("2.5")
    curated = next(p for p in page["items"] if p["model_pattern"] == "claude-opus-4-5*")
    assert curated["source"] == "curated" and curated["effective_from"] == "2025-11-24"
    assert page["version"] == "2026-11-01+litellm-1.110.2"


def test_tiers_are_listed(aws):
    page = _list(q="gemini-2.5-pro", provider="gcp.gemini")
    row = next(p for p in page["items"] if p["model_pattern"] == "gemini-2.5-pro")
    assert row["tiers"][0]["above_tokens"] == 200_000 and Decimal(row["tiers"][0]["input_per_million"]) == 2.5


def test_pages_walk_the_whole_filtered_table_once(aws):
    seen, cursor = [], None
    while True:
        page = _list(provider="mistral", limit=20, **({"cursor": cursor} if cursor else {}))
        seen += [(p["model_pattern"], p["effective_from"], p["source"]) for p in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) > 40
    assert all(p["provider"] == "mistral" for p in _list(provider="mistral", limit=200)["items"])


def test_a_bad_cursor_or_limit_is_a_400_naming_the_field(aws):
    reply = call("GET", "/api/v1/prices", query={"cursor": "bm90LWEtY3Vyc29y"})
    assert reply.status == 400 and reply.json["error"]["details"][0]["field"] == "cursor"
    reply = call("GET", "/api/v1/prices", query={"limit": "0"})
    assert reply.status == 400 and reply.json["error"]["details"][0]["field"] == "limit"

"""Build the shipped price table from the vendored public price map and the curated entries.

Inputs (all in this directory, all committed):
- ``litellm_model_prices.json``: LiteLLM's ``model_prices_and_context_window.json`` (MIT),
  unmodified; ``source.json`` records where it came from, its version and sha256.
- ``curated.json``: hand-checked, dated entries (glob patterns) that override the map.
- ``history.json``: map prices superseded by a refresh, with the dates they were in force.

Output: ``layers/domain/python/agentgate/data/prices.json`` (package data of the domain
layer). ``python pricing/build_prices.py`` rewrites it; ``--check`` fails when it differs
from what the inputs produce; ``--refresh FILE`` vendors a newly downloaded map (keeping the
prices it replaces in the history) and prints what changed. Only the standard library is used.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAP_FILE = HERE / "litellm_model_prices.json"
SOURCE_FILE = HERE / "source.json"
CURATED_FILE = HERE / "curated.json"
HISTORY_FILE = HERE / "history.json"
OUTPUT = HERE.parent / "layers" / "domain" / "python" / "agentgate" / "data" / "prices.json"

MILLION = Decimal(1_000_000)
# Modes whose prices are per token; image, audio and video generation are priced otherwise.
TOKEN_MODES = frozenset({"chat", "completion", "responses", "embedding", "moderation", "rerank"})
# LiteLLM's provider names -> the names this project uses (PROVIDER_ALIASES maps clients' names).
PROVIDERS = {
    "text-completion-openai": "openai",
    "gemini": "google",
    "vertex_ai": "google",
    "vertex_ai-language-models": "google",
    "vertex_ai-text-models": "google",
    "bedrock_converse": "bedrock",
    "bedrock_mantle": "bedrock",
    "azure_ai": "azure",
    "azure_text": "azure",
    "codestral": "mistral",
    "text-completion-codestral": "mistral",
    "cohere_chat": "cohere",
}
TIER_SUFFIX = "_above_"


def per_million(value: object) -> str | None:
    """USD per token (a float in the map) -> USD per million tokens as an exact decimal string."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    amount = (Decimal(repr(value)) * MILLION).quantize(Decimal("0.000001")).normalize()
    return format(amount, "f")


def provider_of(litellm_provider: str) -> str:
    if litellm_provider.startswith("vertex_ai-") and litellm_provider not in PROVIDERS:
        return "vertex_ai"  # partner models on Vertex (Anthropic, Mistral, Llama ...)
    return PROVIDERS.get(litellm_provider, litellm_provider)


def model_name(key: str, litellm_provider: str) -> str:
    """The name clients send: the map's route prefix (``azure/``, ``gemini/``) removed."""
    name = key.strip().lower()
    head, sep, rest = name.partition("/")
    if sep and rest and (head == litellm_provider or litellm_provider.startswith(head)):
        return rest
    return name


def _tiers(entry: dict) -> list[dict]:
    """``input_cost_per_token_above_200k_tokens`` and friends -> tiers by prompt-size threshold."""
    buckets = {
        "input_cost_per_token": "input",
        "output_cost_per_token": "output",
        "cache_read_input_token_cost": "cache_read",
        "cache_creation_input_token_cost": "cache_write",
        "cache_creation_input_token_cost_above_1hr": "cache_write_1h",
    }
    tiers: dict[int, dict] = {}
    for key, value in entry.items():
        for prefix, bucket in buckets.items():
            tail = key[len(prefix) :]
            if not key.startswith(prefix + TIER_SUFFIX) or not tail.endswith("k_tokens"):
                continue
            size = tail[len(TIER_SUFFIX) : -len("k_tokens")]
            price = per_million(value)
            if size.isdigit() and price is not None:
                tiers.setdefault(int(size) * 1000, {})[bucket] = price
    return [{"above_tokens": size, **tiers[size]} for size in sorted(tiers)]


def convert_entry(key: str, entry: object) -> tuple[str, str, dict] | None:
    """One map entry -> (provider, model name, price row), or None when it has no token price."""
    if not isinstance(entry, dict) or entry.get("mode") not in TOKEN_MODES:
        return None
    litellm_provider = entry.get("litellm_provider")
    price_in = per_million(entry.get("input_cost_per_token"))
    if not isinstance(litellm_provider, str) or price_in is None:
        return None
    row: dict = {"input": price_in, "output": per_million(entry.get("output_cost_per_token")) or "0"}
    if row["input"] == "0" and row["output"] == "0":
        return None  # the map's zero means "not known" as often as "free": such a model stays unpriced
    optional = {
        "cache_read": "cache_read_input_token_cost",
        "cache_write": "cache_creation_input_token_cost",
        "cache_write_1h": "cache_creation_input_token_cost_above_1hr",
    }
    for bucket, field in optional.items():
        price = per_million(entry.get(field))
        if price is not None:
            row[bucket] = price
    tiers = _tiers(entry)
    if tiers:
        row["tiers"] = tiers
    batch = {
        bucket: price
        for bucket, field in {
            "input": "input_cost_per_token_batches",
            "output": "output_cost_per_token_batches",
            "cache_read": "cache_read_input_token_cost_batches",
            "cache_write": "cache_creation_input_token_cost_batches",
        }.items()
        if (price := per_million(entry.get(field))) is not None
    }
    if batch:
        row["batch"] = batch
    return provider_of(litellm_provider), model_name(key, litellm_provider), row


def convert_map(document: dict) -> dict[str, dict[str, dict]]:
    """provider -> model -> row; where two keys name the same model, the one without a route prefix wins."""
    models: dict[str, dict[str, dict]] = {}
    exact: set[tuple[str, str]] = set()
    for key in sorted(document):
        converted = convert_entry(key, document[key])
        if converted is None:
            continue
        provider, name, row = converted
        is_exact = key.strip().lower() == name
        if (provider, name) in exact or (not is_exact and name in models.get(provider, {})):
            continue
        models.setdefault(provider, {})[name] = row
        if is_exact:
            exact.add((provider, name))
    return {provider: dict(sorted(rows.items())) for provider, rows in sorted(models.items())}


def build(map_document: dict, source: dict, curated: dict, history: list[dict]) -> dict:
    """The shipped table: curated rows, the map's rows (in force from the source's date), and history."""
    effective = source["effective_from"]
    models = convert_map(map_document)
    return {
        "version": f"{curated['version']}+{source['name']}-{source['version']}",
        "unit": curated["unit"],
        "notes": curated["notes"],
        "curated_version": curated["version"],
        "source": {
            "name": source["name"],
            "version": source["version"],
            "url": source["url"],
            "license": source["license"],
            "sha256": source["sha256"],
            "effective_from": effective,
            "models": sum(len(rows) for rows in models.values()),
        },
        "prices": curated["prices"],
        "models": models,
        "history": history,
    }


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_inputs() -> tuple[dict, dict, dict, list[dict]]:
    source = json.loads(SOURCE_FILE.read_text())
    if sha256(MAP_FILE) != source["sha256"]:
        raise SystemExit(f"{MAP_FILE.name} does not match the sha256 in {SOURCE_FILE.name}")
    history = json.loads(HISTORY_FILE.read_text()) if HISTORY_FILE.exists() else []
    return json.loads(MAP_FILE.read_text()), source, json.loads(CURATED_FILE.read_text()), history


def render(table: dict) -> str:
    return json.dumps(table, indent=None, separators=(",", ":"), sort_keys=False) + "\n"


def refresh(new_file: Path, version: str, effective_from: str) -> None:
    """Vendor a newly downloaded map: superseded prices move to the history; print what changed."""
    old_map, source, _, history = load_inputs()
    new_map = json.loads(new_file.read_text())
    old_rows, new_rows = convert_map(old_map), convert_map(new_map)
    changed = added = removed = 0
    for provider in sorted(set(old_rows) | set(new_rows)):
        before, after = old_rows.get(provider, {}), new_rows.get(provider, {})
        for name in sorted(set(before) | set(after)):
            if name in before and before[name] != after.get(name):
                history.append(
                    {
                        "provider": provider,
                        "model": name,
                        "effective_from": source["effective_from"],
                        "effective_to": effective_from,
                        "version": f"{source['name']}-{source['version']}",
                        **before[name],
                    }
                )
            if name not in before:
                added += 1
                print(f"+ {provider} {name} {json.dumps(after[name])}")
            elif name not in after:
                removed += 1
                print(f"- {provider} {name} {json.dumps(before[name])}")
            elif before[name] != after[name]:
                changed += 1
                print(f"~ {provider} {name} {json.dumps(before[name])} -> {json.dumps(after[name])}")
    MAP_FILE.write_bytes(new_file.read_bytes())
    source.update(version=version, effective_from=effective_from, sha256=sha256(MAP_FILE))
    source["retrieved_at"] = datetime.now(UTC).date().isoformat()
    SOURCE_FILE.write_text(json.dumps(source, indent=1) + "\n")
    HISTORY_FILE.write_text(json.dumps(history, indent=1) + "\n")
    print(f"{added} added, {removed} removed, {changed} changed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the shipped table is out of date")
    parser.add_argument(
        "--refresh", type=Path, help="a newly downloaded model_prices_and_context_window.json"
    )
    parser.add_argument("--version", help="the source version of --refresh (e.g. the LiteLLM release)")
    parser.add_argument("--effective-from", help="the date the refreshed prices take effect (YYYY-MM-DD)")
    args = parser.parse_args(argv)
    if args.refresh:
        if not args.version or not args.effective_from:
            parser.error("--refresh needs --version and --effective-from")
        refresh(args.refresh, args.version, args.effective_from)
    text = render(build(*load_inputs()))
    if args.check:
        if not OUTPUT.exists() or OUTPUT.read_text() != text:
            print(f"{OUTPUT} is out of date: run `make prices`", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

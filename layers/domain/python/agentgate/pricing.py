"""Model prices and run cost: a versioned price table shipped with the code, overridable per tenant.

The table (``agentgate/data/prices.json``) holds, per provider and model pattern (a glob
on the lower-cased model name), prices in USD per million tokens for input, output,
cache reads and cache writes, each with the date it takes effect. A run is priced with
the entry in force at its start time; the most specific pattern wins (``gpt-4o-mini*``
over ``gpt-4o*``). Token counts are disjoint: ``input`` excludes cache reads and writes.

A model nobody priced gets ``cost_usd = None`` and ``unpriced = True``: never a silent zero.
All arithmetic is ``Decimal``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path

PRICE_FILE = Path(__file__).parent / "data" / "prices.json"
MILLION = Decimal(1_000_000)
# Costs are kept to a millionth of a cent: exact enough to sum a billion runs without drift.
COST_QUANTUM = Decimal("0.00000001")
PROVIDERS = ("openai", "anthropic", "google", "mistral", "bedrock")
# Names clients use for the same provider.
PROVIDER_ALIASES = {
    "azure-openai": "openai",
    "azure_openai": "openai",
    "gemini": "google",
    "vertex": "google",
    "vertexai": "google",
    "google-vertex": "google",
    "mistralai": "mistral",
    "amazon-bedrock": "bedrock",
    "aws-bedrock": "bedrock",
    "aws_bedrock": "bedrock",
    "amazon": "bedrock",
}


@dataclass(frozen=True)
class TokenCounts:
    input: int = 0
    output: int = 0
    cache_read: int = 0
    cache_write: int = 0


@dataclass(frozen=True)
class ModelPrice:
    provider: str
    model_pattern: str
    effective_from: date
    input: Decimal
    output: Decimal
    cache_read: Decimal
    cache_write: Decimal
    version: str  # recorded on each run: which table (or tenant override) priced it

    @property
    def specificity(self) -> int:
        """Literal characters in the pattern: longer literal patterns are more specific."""
        return sum(1 for ch in self.model_pattern if ch not in "*?[]")

    def cost(self, tokens: TokenCounts) -> Decimal:
        total = (
            self.input * tokens.input
            + self.output * tokens.output
            + self.cache_read * tokens.cache_read
            + self.cache_write * tokens.cache_write
        )
        return (total / MILLION).quantize(COST_QUANTUM, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Costing:
    cost_usd: Decimal | None
    price_version: str | None

    @property
    def unpriced(self) -> bool:
        return self.cost_usd is None


@dataclass(frozen=True)
class PriceTable:
    version: str
    prices: tuple[ModelPrice, ...]

    def lookup(
        self,
        model: str | None,
        provider: str | None,
        at: datetime | date,
        overrides: tuple[ModelPrice, ...] = (),
    ) -> ModelPrice | None:
        """The price in force at ``at`` for the model; a tenant override beats the table."""
        if not model:
            return None
        name = model.strip().lower()
        wanted = normalize_provider(provider)
        day = at.date() if isinstance(at, datetime) else at
        for candidates in (overrides, self.prices):
            matches = [
                p
                for p in candidates
                if fnmatchcase(name, p.model_pattern)
                and p.effective_from <= day
                and (wanted is None or p.provider == wanted)
            ]
            if matches:
                return max(matches, key=lambda p: (p.specificity, p.effective_from))
        return None

    def price_run(
        self,
        model: str | None,
        provider: str | None,
        at: datetime | date,
        tokens: TokenCounts,
        overrides: tuple[ModelPrice, ...] = (),
    ) -> Costing:
        price = self.lookup(model, provider, at, overrides)
        if price is None:
            return Costing(cost_usd=None, price_version=None)
        return Costing(cost_usd=price.cost(tokens), price_version=price.version)


def normalize_provider(provider: str | None) -> str | None:
    if not provider:
        return None
    name = provider.strip().lower()
    return PROVIDER_ALIASES.get(name, name)


def parse_table(document: dict) -> PriceTable:
    version = str(document["version"])
    prices = tuple(
        ModelPrice(
            provider=row["provider"],
            model_pattern=row["model"].lower(),
            effective_from=date.fromisoformat(row["effective_from"]),
            input=Decimal(row["input"]),
            output=Decimal(row["output"]),
            cache_read=Decimal(row["cache_read"]),
            cache_write=Decimal(row["cache_write"]),
            version=version,
        )
        for row in document["prices"]
    )
    return PriceTable(version=version, prices=prices)


@cache
def price_table() -> PriceTable:
    """The shipped table, read once per warm container."""
    return parse_table(json.loads(PRICE_FILE.read_text()))

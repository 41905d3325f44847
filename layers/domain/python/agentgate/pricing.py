"""Model prices and run cost: a versioned price table shipped with the code, overridable per tenant.

The table (``agentgate/data/prices.json``, built by ``pricing/build_prices.py``) has two parts:

- curated entries: hand-checked, dated prices per provider and model pattern (a glob on the
  lower-cased model name, ``gpt-4o-mini*``), the most specific pattern winning;
- the public price map (LiteLLM's, vendored and pinned): thousands of exact model names,
  in force from the date it was vendored, and the prices later refreshes superseded.

A run is priced, in this order, by a tenant override; a curated entry naming the model
exactly; the map's exact entry in force at the run's start; a curated pattern in force; and,
for a run older than the map, the map's entry if no curated pattern knows the model at all
(a curated pattern whose first price is later than the run means the model did not exist).

Prices are USD per million tokens for input, output, cache reads, cache writes (5-minute)
and 1-hour cache writes, with tiers above a prompt size and batch rates where published.
Token counts are disjoint: ``input`` excludes cache reads and writes. A model nobody priced
gets ``cost_usd = None`` and ``unpriced = True``: never a silent zero. All arithmetic is Decimal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from fnmatch import fnmatchcase
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from agentgate.model_names import PREFERRED_PROVIDERS, name_variants, normalize_provider

PRICE_FILE = Path(__file__).parent / "data" / "prices.json"
MILLION = Decimal(1_000_000)
# Costs are kept to a millionth of a cent: exact enough to sum a billion runs without drift.
COST_QUANTUM = Decimal("0.00000001")
BUCKETS = ("input", "output", "cache_read", "cache_write", "cache_write_1h")


@dataclass(frozen=True)
class TokenCounts:
    input: int = 0
    output: int = 0
    cache_read: int = 0
    cache_write: int = 0  # 5-minute (or the provider's only) cache writes
    cache_write_1h: int = 0

    @property
    def prompt(self) -> int:
        return self.input + self.cache_read + self.cache_write + self.cache_write_1h


@dataclass(frozen=True)
class Rates:
    """USD per million tokens per bucket."""

    input: Decimal
    output: Decimal
    cache_read: Decimal
    cache_write: Decimal
    cache_write_1h: Decimal

    def over(self, other: dict[str, Any]) -> Rates:
        """These rates with the buckets ``other`` names replaced."""
        values = {b: Decimal(other[b]) if other.get(b) is not None else getattr(self, b) for b in BUCKETS}
        return Rates(**values)


@dataclass(frozen=True)
class PriceTier:
    above_tokens: int  # the tier applies to a call whose prompt is larger than this
    rates: dict[str, Decimal]  # only the buckets the tier prices; the others keep the base rate


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
    cache_write_1h: Decimal | None = None  # None: 1-hour writes cost the cache_write rate
    tiers: tuple[PriceTier, ...] = ()
    batch: dict[str, Decimal] = field(default_factory=dict)
    source: str = "curated"
    effective_to: date | None = None

    @property
    def specificity(self) -> int:
        """Literal characters in the pattern: longer literal patterns are more specific."""
        return sum(1 for ch in self.model_pattern if ch not in "*?[]")

    @property
    def is_literal(self) -> bool:
        return not any(ch in self.model_pattern for ch in "*?[]")

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)

    def rates(self, tokens: TokenCounts, batch: bool = False) -> Rates:
        rates = Rates(
            self.input,
            self.output,
            self.cache_read,
            self.cache_write,
            self.cache_write if self.cache_write_1h is None else self.cache_write_1h,
        )
        tier = max(
            (t for t in self.tiers if tokens.prompt > t.above_tokens),
            key=lambda t: t.above_tokens,
            default=None,
        )
        if tier is not None:
            rates = rates.over(dict(tier.rates))
        if batch and self.batch:
            rates = rates.over(dict(self.batch))
        return rates

    def rates_without_tier(self) -> Rates:
        return self.rates(TokenCounts())

    def breakdown(self, tokens: TokenCounts, batch: bool = False) -> dict[str, Decimal]:
        """The cost of each token bucket."""
        rates = self.rates(tokens, batch)
        return {
            bucket: (getattr(rates, bucket) * getattr(tokens, bucket) / MILLION).quantize(
                COST_QUANTUM, rounding=ROUND_HALF_EVEN
            )
            for bucket in BUCKETS
        }

    def cost(self, tokens: TokenCounts, batch: bool = False) -> Decimal:
        rates = self.rates(tokens, batch)
        total = sum((getattr(rates, b) * getattr(tokens, b) for b in BUCKETS), Decimal(0))
        return (total / MILLION).quantize(COST_QUANTUM, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Costing:
    cost_usd: Decimal | None
    price_version: str | None
    breakdown: dict[str, Decimal] | None = None
    unpriced_calls: int = 0  # of a run priced call by call: calls nobody priced (their cost is unknown)

    @property
    def unpriced(self) -> bool:
        return self.cost_usd is None or self.unpriced_calls > 0


@dataclass(frozen=True)
class Call:
    """One model call of a run, priced on its own (its tier depends on its own prompt size)."""

    model: str | None
    provider: str | None
    at: datetime | date
    tokens: TokenCounts
    batch: bool = False


@dataclass(frozen=True)
class PriceTable:
    version: str  # of the curated entries (what a run priced by them records)
    prices: tuple[ModelPrice, ...]  # the curated entries
    # The public map: provider -> model name -> row, as the build wrote it (converted on use).
    models: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    history: tuple[dict[str, Any], ...] = ()
    source: dict[str, Any] = field(default_factory=dict)
    table_version: str = ""  # curated version + map version: what the price listing shows

    @cached_property
    def _providers_of(self) -> dict[str, tuple[str, ...]]:
        """Model name -> the providers that price it, preferred first."""
        found: dict[str, list[str]] = {}
        for provider, rows in self.models.items():
            for name in rows:
                found.setdefault(name, []).append(provider)
        rank = {p: i for i, p in enumerate(PREFERRED_PROVIDERS)}
        return {n: tuple(sorted(ps, key=lambda p: (rank.get(p, len(rank)), p))) for n, ps in found.items()}

    def history_prices(self) -> dict[tuple[str, str], tuple[ModelPrice, ...]]:
        return self._history_of

    @cached_property
    def _history_of(self) -> dict[tuple[str, str], tuple[ModelPrice, ...]]:
        out: dict[tuple[str, str], list[ModelPrice]] = {}
        for row in self.history:
            price = _source_price(row["provider"], row["model"], row, row["effective_from"], row["version"])
            price = replace(price, effective_to=date.fromisoformat(row["effective_to"]))
            out.setdefault((row["provider"], row["model"]), []).append(price)
        return {key: tuple(prices) for key, prices in out.items()}

    def lookup(
        self,
        model: str | None,
        provider: str | None,
        at: datetime | date,
        overrides: tuple[ModelPrice, ...] = (),
    ) -> ModelPrice | None:
        """The price in force at ``at`` for the model (the order is the module's docstring's)."""
        if not model:
            return None
        name = model.strip().lower()
        wanted = normalize_provider(provider)
        day = at.date() if isinstance(at, datetime) else at
        override = _best(overrides, name, wanted, day)
        if override is not None:
            return override
        curated = _best(self.prices, name, wanted, day)
        if curated is not None and curated.is_literal:
            return curated
        mapped = self._mapped(name, wanted)
        if mapped:
            in_force = [p for p in mapped if p.in_force(day)]
            if in_force:
                return in_force[0]
        if curated is not None:
            return curated
        if mapped and not any(
            fnmatchcase(name, p.model_pattern) and (wanted is None or p.provider == wanted)
            for p in self.prices
        ):
            earliest = min(mapped, key=lambda p: p.effective_from)
            return earliest if day < earliest.effective_from else None
        return None

    def _mapped(self, name: str, wanted: str | None) -> list[ModelPrice]:
        """The map's prices (current and superseded) of the first name variant it knows."""
        head, _, rest = name.partition("/")
        if wanted is None and rest and normalize_provider(head) in self.models:
            wanted, name = normalize_provider(head), rest  # "openai/gpt-5": the provider is named
        for candidate in name_variants(name):
            providers = (wanted,) if wanted else self._providers_of.get(candidate, ())
            for provider in providers:
                row = self.models.get(provider, {}).get(candidate)
                if row is None:
                    continue
                return [
                    self.mapped_price(provider, candidate),
                    *self._history_of.get((provider, candidate), ()),
                ]
        return []

    @cached_property
    def _converted(self) -> dict[tuple[str, str], ModelPrice]:
        return {}

    def mapped_price(self, provider: str, name: str) -> ModelPrice:
        """The map's current row for the model, converted once."""
        key = (provider, name)
        if key not in self._converted:
            self._converted[key] = _source_price(
                provider,
                name,
                self.models[provider][name],
                self.source.get("effective_from", "1970-01-01"),
                self.source_version,
            )
        return self._converted[key]

    @property
    def source_version(self) -> str:
        return f"{self.source.get('name', 'map')}-{self.source.get('version', '')}"

    def price_run(
        self,
        model: str | None,
        provider: str | None,
        at: datetime | date,
        tokens: TokenCounts,
        overrides: tuple[ModelPrice, ...] = (),
        batch: bool = False,
    ) -> Costing:
        price = self.lookup(model, provider, at, overrides)
        if price is None:
            return Costing(cost_usd=None, price_version=None)
        return Costing(
            cost_usd=price.cost(tokens, batch),
            price_version=price.version,
            breakdown=price.breakdown(tokens, batch),
        )


def price_calls(table: PriceTable, calls: list[Call], overrides: tuple[ModelPrice, ...] = ()) -> Costing:
    """A run's cost as the sum of its calls' costs; ``None`` only when no call could be priced."""
    total, versions, unpriced = Decimal(0), [], 0
    breakdown = dict.fromkeys(BUCKETS, Decimal(0))
    for call in calls:
        costing = table.price_run(call.model, call.provider, call.at, call.tokens, overrides, call.batch)
        if costing.cost_usd is None or costing.breakdown is None:
            unpriced += 1
            continue
        total += costing.cost_usd
        breakdown = {b: breakdown[b] + costing.breakdown[b] for b in BUCKETS}
        if costing.price_version not in versions:
            versions.append(costing.price_version)
    if not versions:
        return Costing(cost_usd=None, price_version=None, unpriced_calls=unpriced)
    return Costing(total, " ".join(str(v) for v in versions), breakdown, unpriced)


def _best(candidates: tuple[ModelPrice, ...], name: str, wanted: str | None, day: date) -> ModelPrice | None:
    matches = [
        p
        for p in candidates
        if fnmatchcase(name, p.model_pattern) and p.in_force(day) and (wanted is None or p.provider == wanted)
    ]
    return max(matches, key=lambda p: (p.specificity, p.effective_from)) if matches else None


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _tiers(rows: list[dict[str, Any]] | None) -> tuple[PriceTier, ...]:
    return tuple(
        PriceTier(int(t["above_tokens"]), {b: Decimal(t[b]) for b in BUCKETS if t.get(b) is not None})
        for t in rows or ()
    )


def _source_price(provider: str, name: str, row: dict[str, Any], effective: str, version: str) -> ModelPrice:
    """A map row: a missing cache-read or cache-write rate is the input rate (no discount known)."""
    price_in = Decimal(row["input"])
    return ModelPrice(
        provider=provider,
        model_pattern=name,
        effective_from=date.fromisoformat(effective),
        input=price_in,
        output=Decimal(row["output"]),
        cache_read=_decimal(row.get("cache_read")) or price_in,
        cache_write=_decimal(row.get("cache_write")) or price_in,
        cache_write_1h=_decimal(row.get("cache_write_1h")),
        tiers=_tiers(row.get("tiers")),
        batch={b: Decimal(v) for b, v in (row.get("batch") or {}).items()},
        version=version,
        source="map",
    )


def parse_table(document: dict[str, Any]) -> PriceTable:
    version = str(document.get("curated_version", document["version"]))
    prices = tuple(
        ModelPrice(
            provider=row["provider"],
            model_pattern=row["model"].lower(),
            effective_from=date.fromisoformat(row["effective_from"]),
            input=Decimal(row["input"]),
            output=Decimal(row["output"]),
            cache_read=Decimal(row["cache_read"]),
            cache_write=Decimal(row["cache_write"]),
            cache_write_1h=_decimal(row.get("cache_write_1h")),
            tiers=_tiers(row.get("tiers")),
            version=version,
        )
        for row in document["prices"]
    )
    return PriceTable(
        version=version,
        prices=prices,
        models=document.get("models", {}),
        history=tuple(document.get("history", ())),
        source=document.get("source", {}),
        table_version=str(document["version"]),
    )


@cache
def price_table() -> PriceTable:
    """The shipped table, read once per warm container (the map's rows are converted on use)."""
    return parse_table(json.loads(PRICE_FILE.read_text()))

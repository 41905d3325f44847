"""The public price table listing: curated entries, then the price map's, filtered and paged.

The order is stable (provider, model, effective date), so a cursor is the last entry's key,
encoded with the one cursor codec of the data layer.
"""

from __future__ import annotations

from agentgate.data.cursors import decode_cursor, encode_cursor
from agentgate.pricing import ModelPrice, PriceTable, normalize_provider, price_table
from agentgate.schemas.prices import BatchRatesOut, Price, PricePage, PriceQuery, PriceTierOut

_LISTING = "prices"


def _key(price: ModelPrice) -> str:
    return (
        f"{price.provider}\x1f{price.model_pattern}\x1f{price.effective_from.isoformat()}\x1f{price.source}"
    )


def all_prices(table: PriceTable) -> list[ModelPrice]:
    mapped = [table.mapped_price(provider, name) for provider, rows in table.models.items() for name in rows]
    history = [p for prices in table.history_prices().values() for p in prices]
    return sorted([*table.prices, *mapped, *history], key=_key)


def price_out(price: ModelPrice) -> Price:
    rates = price.rates_without_tier()
    return Price(
        provider=price.provider,
        model_pattern=price.model_pattern,
        input_per_million=rates.input,
        output_per_million=rates.output,
        cache_read_per_million=rates.cache_read,
        cache_write_per_million=rates.cache_write,
        cache_write_1h_per_million=rates.cache_write_1h,
        tiers=[
            PriceTierOut(above_tokens=t.above_tokens, **{f"{b}_per_million": v for b, v in t.rates.items()})
            for t in price.tiers
        ],
        batch=BatchRatesOut(**{f"{b}_per_million": v for b, v in price.batch.items()})
        if price.batch
        else None,
        effective_from=price.effective_from,
        effective_to=price.effective_to,
        version=price.version,
        source=price.source,
    )


def list_prices(query: PriceQuery) -> PricePage:
    table = price_table()
    start = decode_cursor(query.cursor, {"listing": _LISTING})
    after = start["after"]["S"] if start and "after" in start else None
    wanted = normalize_provider(query.provider)
    needle = query.q.lower() if query.q else None
    items: list[ModelPrice] = []
    more = False
    for price in all_prices(table):
        if after is not None and _key(price) <= after:
            continue
        if wanted and price.provider != wanted:
            continue
        if needle and needle not in price.model_pattern:
            continue
        if len(items) == query.limit:
            more = True
            break
        items.append(price)
    cursor = encode_cursor({"listing": {"S": _LISTING}, "after": {"S": _key(items[-1])}}) if more else None
    return PricePage(items=[price_out(p) for p in items], next_cursor=cursor, version=table.table_version)

"""The public price table listing: curated entries, then the price map's, filtered and paged.

The order is stable (provider, model, effective date), so a page is the data layer's keyset page
of a listing held in memory (its cursor: the last entry's key, in the one cursor codec).
"""

from __future__ import annotations

from agentgate.data.pages import listing_page
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
    wanted = normalize_provider(query.provider)
    needle = query.q.lower() if query.q else None

    def keep(price: ModelPrice) -> bool:
        return (not wanted or price.provider == wanted) and (not needle or needle in price.model_pattern)

    page = listing_page(
        all_prices(table), key=_key, listing=_LISTING, limit=query.limit, cursor=query.cursor, keep=keep
    )
    return PricePage(
        items=[price_out(p) for p in page.items], next_cursor=page.next_cursor, version=table.table_version
    )

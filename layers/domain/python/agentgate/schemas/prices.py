"""The public price table: what is priced, and at what (USD per million tokens)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from agentgate.schemas.common import Money, PageQuery, ResponseModel


class PriceQuery(PageQuery):
    q: str | None = Field(default=None, min_length=1, max_length=128, description="part of the model name")
    provider: str | None = Field(default=None, min_length=1, max_length=64)


class PriceTierOut(ResponseModel):
    above_tokens: int = Field(description="applies to a call whose prompt is larger than this")
    input_per_million: Money | None = None
    output_per_million: Money | None = None
    cache_read_per_million: Money | None = None
    cache_write_per_million: Money | None = None
    cache_write_1h_per_million: Money | None = None


class BatchRatesOut(ResponseModel):
    input_per_million: Money | None = None
    output_per_million: Money | None = None
    cache_read_per_million: Money | None = None
    cache_write_per_million: Money | None = None


class Price(ResponseModel):
    provider: str
    model_pattern: str = Field(description="a model name, or a glob (curated entries)")
    input_per_million: Money
    output_per_million: Money
    cache_read_per_million: Money
    cache_write_per_million: Money
    cache_write_1h_per_million: Money
    tiers: list[PriceTierOut] = Field(default_factory=list)
    batch: BatchRatesOut | None = None
    effective_from: date
    effective_to: date | None = None
    version: str
    source: str = Field(description="curated (hand-checked) or the public price map it came from")


class PricePage(ResponseModel):
    items: list[Price]
    next_cursor: str | None = None
    version: str = Field(description="the table: curated version + price map version")

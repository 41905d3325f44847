"""Cost reports from the daily counters: by organization, agent and team."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from agentgate.schemas.common import Money, RequestModel, ResponseModel

DEFAULT_DAYS = 30
MAX_DAYS = 366


class CostQuery(RequestModel):
    """``from`` and ``to`` are UTC dates, both included; the default is the last 30 days."""

    from_: date | None = Field(default=None, alias="from")
    to: date | None = None

    @model_validator(mode="after")
    def _range(self) -> CostQuery:
        start, end = self.bounds()
        if end < start:
            raise ValueError("to is before from")
        if (end - start).days + 1 > MAX_DAYS:
            raise ValueError(f"the range may span at most {MAX_DAYS} days")
        return self

    def bounds(self) -> tuple[date, date]:
        end = self.to or datetime.now(UTC).date()
        start = self.from_ or (end - timedelta(days=DEFAULT_DAYS - 1))
        return start, end


class CostDay(ResponseModel):
    date: date
    cost_usd: Money
    runs: int
    unpriced_runs: int = 0


class CostReport(ResponseModel):
    scope: Literal["org", "agent", "team"]
    scope_id: str | None
    period_start: date
    period_end: date
    total_cost_usd: Money
    runs: int
    unpriced_runs: int
    by_day: list[CostDay]


# --- a tenant's negotiated prices -------------------------------------------------------------------

PerMillion = Field(ge=0, le=Decimal("100000"), max_digits=14, decimal_places=6)


class PriceOverrideIn(RequestModel):
    """A tenant's price for a provider's models matching ``model_pattern`` (a glob), from a date."""

    provider: Literal["openai", "anthropic", "google", "mistral", "bedrock"]
    model_pattern: str = Field(min_length=1, max_length=128, pattern=r"^[a-z0-9.*?:_/@-]+$")
    effective_from: date
    input_per_million: Decimal = PerMillion
    output_per_million: Decimal = PerMillion
    cache_read_per_million: Decimal = PerMillion
    cache_write_per_million: Decimal = PerMillion
    label: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")


class PriceOverride(ResponseModel):
    provider: str
    model_pattern: str
    effective_from: date
    input_per_million: Money
    output_per_million: Money
    cache_read_per_million: Money
    cache_write_per_million: Money
    label: str
    price_version: str


class PriceOverrideList(ResponseModel):
    items: list[PriceOverride]

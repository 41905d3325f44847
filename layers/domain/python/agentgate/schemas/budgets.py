"""Budgets: a spending limit over a period for the org, a team or an agent."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from agentgate.schemas.common import Money, PageQuery, RequestModel, ResponseModel

BudgetScope = Literal["org", "team", "agent"]
BudgetPeriod = Literal["daily", "weekly", "monthly"]
MaxAmount = Field(gt=0, le=Decimal("1000000000"), max_digits=16, decimal_places=6)


class BudgetCreate(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=128)
    scope: BudgetScope
    scope_id: str | None = Field(default=None, min_length=1, max_length=128)
    max_amount_usd: Decimal = MaxAmount
    period: BudgetPeriod
    threshold_alert_percent: int = Field(default=80, ge=1, le=100)
    auto_pause_at_percent: int | None = Field(default=None, ge=1, le=1000)

    @model_validator(mode="after")
    def _scope_id_matches_scope(self) -> BudgetCreate:
        if self.scope == "org" and self.scope_id is not None:
            raise ValueError("scope_id must be absent for an org budget")
        if self.scope != "org" and self.scope_id is None:
            raise ValueError(f"scope_id is required for a {self.scope} budget")
        return self


class BudgetUpdate(RequestModel):
    """Scope and period are fixed at creation (a budget's history is per period); the rest may change."""

    name: str | None = Field(default=None, min_length=1, max_length=128)
    max_amount_usd: Decimal | None = MaxAmount
    threshold_alert_percent: int | None = Field(default=None, ge=1, le=100)
    auto_pause_at_percent: int | None = Field(default=None, ge=1, le=1000)

    @model_validator(mode="after")
    def _not_empty(self) -> BudgetUpdate:
        if not self.model_fields_set:
            raise ValueError("name at least one field to change")
        for name in ("max_amount_usd", "threshold_alert_percent"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class Budget(ResponseModel):
    id: str
    name: str | None
    scope: BudgetScope
    scope_id: str | None
    max_amount_usd: Money
    period: BudgetPeriod
    threshold_alert_percent: int
    auto_pause_at_percent: int | None
    current_spend_usd: Money
    reserved_usd: Money = Decimal(0)  # held by /authorize reservations not settled or released yet
    period_start: datetime
    period_end: datetime
    alert_sent: bool
    auto_paused: bool
    created_at: datetime


class BudgetPage(ResponseModel):
    items: list[Budget]
    next_cursor: str | None = None


class BudgetQuery(PageQuery):
    scope: BudgetScope | None = None

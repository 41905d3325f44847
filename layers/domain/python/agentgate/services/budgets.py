"""Budgets: CRUD, the period arithmetic, and what happens when spend crosses a line.

Spend is added by the runs consumer in the same transaction as a run's first insert
(see ``services.runs``), so it is counted once per unique run. Crossing the alert
threshold emits ``budget.threshold_crossed`` and crossing ``auto_pause_at_percent``
pauses the agents in scope; each is guarded by a conditional write on the period's spend
item, so it happens once per period however often the check runs.
"""

from __future__ import annotations

import importlib
from calendar import monthrange
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from agentgate.data.ids import new_id
from agentgate.data.tenant import TenantData, system_data, tenant_data
from agentgate.data.transactions import ConditionFailed
from agentgate.models import AgentItem, BudgetItem, BudgetSpendItem
from agentgate.platform.errors import NotFound, Unprocessable
from agentgate.platform.tenancy import TenantContext
from agentgate.schemas.budgets import Budget, BudgetCreate, BudgetPage, BudgetQuery, BudgetUpdate

THRESHOLD_EVENT = "budget.threshold_crossed"


# --- periods ----------------------------------------------------------------------------------------


def period_bounds(period: str, at: datetime) -> tuple[datetime, datetime]:
    """[start, end) of the daily / weekly (ISO, from Monday) / monthly period containing ``at`` (UTC)."""
    day = at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "daily":
        return day, day + timedelta(days=1)
    if period == "weekly":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=7)
    start = day.replace(day=1)
    return start, start + timedelta(days=monthrange(start.year, start.month)[1])


def spend_sk(budget: BudgetItem, at: datetime) -> str:
    start, _ = period_bounds(budget.period, at)
    return BudgetSpendItem.sk_for(budget.budget_id, start.date().isoformat())


def covers(budget: BudgetItem, agent_id: str, team: str | None) -> bool:
    if budget.scope == "org":
        return True
    if budget.scope == "agent":
        return budget.scope_id == agent_id
    return team is not None and budget.scope_id == team


def tenant_budgets(tenant_id: str) -> list[BudgetItem]:
    return list(system_data(tenant_id).query(BudgetItem, sk_prefix=BudgetItem.SK_PREFIX))


# --- after spend: alert once, pause once ------------------------------------------------------------


def check_thresholds(tenant_id: str, budgets: list[BudgetItem], at: datetime) -> None:
    """Emit the alert and pause the agents of every budget whose period spend has crossed a line."""
    data = system_data(tenant_id)
    for budget in budgets:
        spend = data.find(BudgetSpendItem, spend_sk(budget, at), consistent=True)
        if spend is None:
            continue
        used = spend.spend_usd * 100
        limit = budget.max_amount_usd
        if spend.alerted_at is None and used >= limit * budget.threshold_alert_percent:
            if _claim(data, spend.sk, "alerted_at"):
                _undo_on_failure(data, spend.sk, "alerted_at", _alert, tenant_id, budget, spend, at)
        pause_at = budget.auto_pause_at_percent
        if pause_at is not None and spend.paused_at is None and used >= limit * pause_at:
            if _claim(data, spend.sk, "paused_at"):
                _undo_on_failure(data, spend.sk, "paused_at", _pause, tenant_id, budget, spend, at)


def _claim(data: TenantData, sk: str, flag: str) -> bool:
    """Set the flag unless it is set: only one caller per period wins."""
    attribute = getattr(BudgetSpendItem, flag)
    try:
        data.update(
            data.ref(BudgetSpendItem, sk), [attribute.set(datetime.now(UTC))], attribute.does_not_exist()
        )
    except ConditionFailed:
        return False
    return True


def _undo_on_failure(data: TenantData, sk: str, flag: str, action: Any, *args: Any) -> None:
    """Run the action; if it fails, release the flag so the redelivered run tries again."""
    try:
        action(*args)
    except BaseException:
        data.update(data.ref(BudgetSpendItem, sk), [getattr(BudgetSpendItem, flag).remove()])
        raise


def _alert(tenant_id: str, budget: BudgetItem, spend: BudgetSpendItem, at: datetime) -> None:
    events = importlib.import_module("agentgate.services.events")  # the governance area's: imported late

    start, end = period_bounds(budget.period, at)
    events.emit(
        tenant_id,
        THRESHOLD_EVENT,
        {
            "budget_id": budget.budget_id,
            "scope": budget.scope,
            "scope_id": budget.scope_id,
            "period": budget.period,
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "max_amount_usd": format(budget.max_amount_usd, "f"),
            "current_spend_usd": format(spend.spend_usd, "f"),
            "threshold_alert_percent": budget.threshold_alert_percent,
        },
    )


def _pause(tenant_id: str, budget: BudgetItem, spend: BudgetSpendItem, at: datetime) -> None:
    agents = importlib.import_module("agentgate.services.agents")  # the identity area's: imported late

    agent_ids = agents_in_scope(tenant_id, budget)
    if agent_ids:
        agents.pause_agents(
            tenant_id,
            agent_ids,
            actor=f"budget:{budget.budget_id}",
            reason=(
                f"budget {budget.budget_id} reached {budget.auto_pause_at_percent}% "
                f"({format(spend.spend_usd, 'f')} of {format(budget.max_amount_usd, 'f')} USD)"
            ),
        )


def agents_in_scope(tenant_id: str, budget: BudgetItem) -> list[str]:
    if budget.scope == "agent":
        return [budget.scope_id] if budget.scope_id else []
    condition = AgentItem.status == "active"
    if budget.scope == "team":
        condition = condition & (AgentItem.team == budget.scope_id)
    found = system_data(tenant_id).query(AgentItem, sk_prefix=AgentItem.SK_PREFIX, filter=condition)
    return [agent.agent_id for agent in found]


def remaining_for_agent(tenant_id: str, agent_id: str) -> Decimal | None:
    """The least money left this period over the budgets covering the agent; None when none covers it."""
    budgets = tenant_budgets(tenant_id)
    if not budgets:
        return None
    agent = system_data(tenant_id).find(AgentItem, AgentItem.sk_for(agent_id))
    team = agent.team if agent else None
    now = datetime.now(UTC)
    remaining = [b.max_amount_usd - _spend(tenant_id, b, now) for b in budgets if covers(b, agent_id, team)]
    return max(min(remaining), Decimal(0)) if remaining else None


def _spend(tenant_id: str, budget: BudgetItem, at: datetime) -> Decimal:
    """Spend plus what open reservations hold (``committed_usd``), for what is left to spend."""
    spend = _spend_item(tenant_id, budget, at)
    if spend is None:
        return Decimal(0)
    return max(spend.spend_usd, spend.committed_usd or Decimal(0))


def covering_budgets(tenant_id: str, agent_id: str, team: str | None) -> list[BudgetItem]:
    return [b for b in tenant_budgets(tenant_id) if covers(b, agent_id, team)]


def _spend_item(tenant_id: str, budget: BudgetItem, at: datetime) -> BudgetSpendItem | None:
    return system_data(tenant_id).find(BudgetSpendItem, spend_sk(budget, at))


# --- CRUD -----------------------------------------------------------------------------------------


def _out(tenant_id: str, budget: BudgetItem) -> Budget:
    now = datetime.now(UTC)
    start, end = period_bounds(budget.period, now)
    spend = _spend_item(tenant_id, budget, now)
    return Budget(
        id=budget.budget_id,
        name=budget.name,
        scope=budget.scope,  # type: ignore[arg-type]
        scope_id=budget.scope_id,
        max_amount_usd=budget.max_amount_usd,
        period=budget.period,  # type: ignore[arg-type]
        threshold_alert_percent=int(budget.threshold_alert_percent),
        auto_pause_at_percent=(
            int(budget.auto_pause_at_percent) if budget.auto_pause_at_percent is not None else None
        ),
        current_spend_usd=spend.spend_usd if spend else Decimal(0),
        reserved_usd=max(spend.reserved_usd or Decimal(0), Decimal(0)) if spend else Decimal(0),
        period_start=start,
        period_end=end,
        alert_sent=bool(spend and spend.alerted_at),
        auto_paused=bool(spend and spend.paused_at),
        created_at=budget.created_at,
    )


def _missing(budget_id: str) -> NotFound:
    return NotFound(f"No budget {budget_id}.")


def _load(ctx: TenantContext, budget_id: str) -> BudgetItem:
    return tenant_data(ctx).get(BudgetItem, BudgetItem.sk_for(budget_id), missing=_missing(budget_id).message)


def create_budget(ctx: TenantContext, request: BudgetCreate) -> Budget:
    data = tenant_data(ctx)
    if request.scope == "agent" and request.scope_id:
        if data.find(AgentItem, AgentItem.sk_for(request.scope_id)) is None:
            raise Unprocessable(
                f"No agent {request.scope_id} in this organization.",
                code="scope_not_found",
                details=[{"field": "scope_id", "issue": "not_found", "message": "no such agent"}],
            )
    budget_id = new_id("bud")
    item = data.new(
        BudgetItem,
        BudgetItem.sk_for(budget_id),
        budget_id=budget_id,
        name=request.name,
        scope=request.scope,
        scope_id=request.scope_id,
        max_amount_usd=request.max_amount_usd,
        period=request.period,
        threshold_alert_percent=request.threshold_alert_percent,
        auto_pause_at_percent=request.auto_pause_at_percent,
        created_at=datetime.now(UTC),
    )
    data.put(item, BudgetItem.pk.does_not_exist())
    return _out(ctx.tenant_id, item)


def list_budgets(ctx: TenantContext, query: BudgetQuery) -> BudgetPage:
    page = tenant_data(ctx).page(
        BudgetItem,
        sk_prefix=BudgetItem.SK_PREFIX,
        filter=(BudgetItem.scope == query.scope) if query.scope else None,
        limit=query.limit,
        cursor=query.cursor,
    )
    return BudgetPage(items=[_out(ctx.tenant_id, b) for b in page.items], next_cursor=page.next_cursor)


def get_budget(ctx: TenantContext, budget_id: str) -> Budget:
    return _out(ctx.tenant_id, _load(ctx, budget_id))


def update_budget(ctx: TenantContext, budget_id: str, request: BudgetUpdate) -> Budget:
    budget = _load(ctx, budget_id)
    actions = []
    changes = request.model_dump(include=request.model_fields_set)
    for name, value in changes.items():
        attribute = getattr(BudgetItem, name)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    actions.append(BudgetItem.updated_at.set(datetime.now(UTC)))
    tenant_data(ctx).update(budget, actions, BudgetItem.pk.exists(), or_raise=_missing(budget_id))
    return _out(ctx.tenant_id, budget)


def delete_budget(ctx: TenantContext, budget_id: str) -> None:
    budget = _load(ctx, budget_id)
    tenant_data(ctx).delete(budget)

"""Budget reservations: ``/authorize`` holds its estimate against every covering budget, atomically.

One transaction adds the estimate to each covering budget period's ``reserved_usd`` and
``committed_usd`` (spend + reserved), each under the condition ``committed_usd <= max - estimate``,
and puts the reservation item. Concurrent requests therefore never reserve past a budget: DynamoDB
serialises the conditional updates of one item, and a request whose condition fails is denied with
``budget_exhausted``. A run sent with the ``authorization_id`` settles it (the runs consumer adds the
run's real cost as it always does, then the hold is taken off), and the release timer takes off
the holds nobody settled once ``reservation_ttl_seconds`` have passed. See docs/budgets.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from pynamodb.expressions.update import Action

from agentgate.data.ids import new_id
from agentgate.data.lookups import query_global
from agentgate.data.tenant import TenantData, tenant_of
from agentgate.data.transactions import ConditionFailed, Transaction
from agentgate.models import BudgetItem, BudgetReservationItem, BudgetSpendItem
from agentgate.platform.observability import logger
from agentgate.services import budgets

RESERVED, SETTLED, RELEASED = "reserved", "settled", "released"
KEEP_CLOSED = timedelta(days=30)  # a closed reservation stays readable this long, then TTL removes it


def _order_key(at: datetime) -> str:
    """A fixed-width UTC time, so the index orders (and the timer compares) as strings."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Reservation:
    authorization_id: str | None  # None when no budget covers the agent (nothing to hold)
    exhausted: BudgetItem | None = None  # the first budget that could not hold the estimate


def _budget_step(budget_id: str) -> str:
    return f"budget:{budget_id}"


def reserve(
    tenant_id: str,
    agent_id: str,
    covering: list[BudgetItem],
    estimate: Decimal,
    ttl_seconds: int,
    at: datetime | None = None,
) -> Reservation:
    """Hold ``estimate`` against every budget in ``covering``, all or none."""
    if not covering:
        return Reservation(None)
    for budget in covering:
        if estimate > budget.max_amount_usd:
            return Reservation(None, exhausted=budget)
    now = at or datetime.now(UTC)
    data = TenantData.acting_for(tenant_id, f"agent:{agent_id}")
    authorization_id = new_id("authz", sortable=True)
    release_at = now + timedelta(seconds=ttl_seconds)
    spend_sks = [budgets.spend_sk(budget, now) for budget in covering]

    def build(tx: Transaction) -> None:
        for budget, sk in zip(covering, spend_sks, strict=True):
            limit = budget.max_amount_usd - estimate
            tx.update(
                data.ref(BudgetSpendItem, sk),
                actions=[
                    BudgetSpendItem.reserved_usd.add(estimate),
                    BudgetSpendItem.committed_usd.add(estimate),
                ],
                condition=BudgetSpendItem.committed_usd.does_not_exist()
                | (BudgetSpendItem.committed_usd <= limit),
                name=_budget_step(budget.budget_id),
            )
        tx.put(
            data.new(
                BudgetReservationItem,
                BudgetReservationItem.sk_for(authorization_id),
                authorization_id=authorization_id,
                agent_id=agent_id,
                amount_usd=estimate,
                spend_sks=spend_sks,
                status=RESERVED,
                created_at=now,
                release_at=release_at,
                gsi1pk=BudgetReservationItem.OPEN_INDEX_KEY,
                gsi1sk=f"{_order_key(release_at)}#{tenant_id}#{authorization_id}",
                expires_at=release_at + KEEP_CLOSED,
            ),
            condition=BudgetReservationItem.pk.does_not_exist(),
            name="reservation",
        )

    try:
        data.transact(build)
    except ConditionFailed as failed:
        first = next(b for b in covering if _budget_step(b.budget_id) in failed.failed)
        return Reservation(None, exhausted=first)
    return Reservation(authorization_id)


def _close(
    data: TenantData, item: BudgetReservationItem, status: str, *, agent_id: str | None, run_id: str | None
) -> bool:
    """Take the reservation's hold off its budgets and mark it ``status``; False if it was not open."""
    amount = item.amount_usd
    condition = BudgetReservationItem.status == RESERVED
    if agent_id is not None:
        condition = condition & (BudgetReservationItem.agent_id == agent_id)

    def build(tx: Transaction) -> None:
        actions: list[Action] = [
            BudgetReservationItem.status.set(status),
            BudgetReservationItem.closed_at.set(datetime.now(UTC)),
            BudgetReservationItem.gsi1pk.remove(),
            BudgetReservationItem.gsi1sk.remove(),
        ]
        if run_id is not None:
            actions.append(BudgetReservationItem.settled_by_run.set(run_id))
        tx.update(
            data.ref(BudgetReservationItem, item.sk), actions=actions, condition=condition, name="reservation"
        )
        for spend_sk in [str(sk) for sk in item.spend_sks or []]:
            tx.update(
                data.ref(BudgetSpendItem, spend_sk),
                actions=[
                    BudgetSpendItem.reserved_usd.add(-amount),
                    BudgetSpendItem.committed_usd.add(-amount),
                ],
                name=f"spend:{spend_sk}",
            )

    try:
        data.transact(build)
    except ConditionFailed:
        return False
    return True


def settle(tenant_id: str, authorization_id: str, *, agent_id: str, run_id: str) -> bool:
    """A run of the reserving agent arrived: its real cost is counted, so the hold comes off."""
    data = TenantData.acting_for(tenant_id, f"agent:{agent_id}")
    item = data.find(BudgetReservationItem, BudgetReservationItem.sk_for(authorization_id), consistent=True)
    if item is None or item.status != RESERVED or item.agent_id != agent_id:
        return False  # unknown, another agent's, already settled or released: the run counts as any run
    return _close(data, item, SETTLED, agent_id=agent_id, run_id=run_id)


def release_expired(now: datetime | None = None, limit: int = 500) -> int:
    """Release every open reservation of every tenant whose time is up; returns how many."""
    now = now or datetime.now(UTC)
    due = query_global(
        BudgetReservationItem,
        BudgetReservationItem.OPEN_INDEX_KEY,
        index="gsi1",
        sk_to=f"{_order_key(now)}#~",  # every tenant's reservations released up to now
        limit=limit,
    )
    released = 0
    for item in due:
        data = TenantData.acting_for(tenant_of(item), "timer:reservation-release")
        current = data.find(BudgetReservationItem, item.sk, consistent=True)
        if current is not None and current.status == RESERVED and current.release_at <= now:
            if _close(data, current, RELEASED, agent_id=None, run_id=None):
                released += 1
    if released:
        logger.info("budget reservations released", extra={"released": released})
    return released

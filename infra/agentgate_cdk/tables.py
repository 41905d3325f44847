"""The declarative tables the CDK app loops over, gathered so a test can pass fixture rows.

The defaults are the domain package's tables; nothing in the app hand-lists a route,
consumer, schedule, workflow, stream or tier.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agentgate.consumers import CONSUMERS, QUEUE_CONSUMERS, STREAMS, QueueConsumer, StreamConsumer
from agentgate.routes import ROUTES, Route
from agentgate.schedules import SCHEDULES, Schedule
from agentgate.tiers import TIER_ORDER, TIERS, TierLimits
from agentgate.workflows import WORKFLOWS, Workflow


@dataclass(frozen=True)
class Tables:
    routes: tuple[Route, ...] = ROUTES
    consumers: tuple[StreamConsumer, ...] = CONSUMERS
    queue_consumers: tuple[QueueConsumer, ...] = QUEUE_CONSUMERS
    schedules: tuple[Schedule, ...] = SCHEDULES
    workflows: tuple[Workflow, ...] = WORKFLOWS
    streams: dict[str, int] = field(default_factory=lambda: dict(STREAMS))
    tiers: tuple[TierLimits, ...] = tuple(TIERS[name] for name in TIER_ORDER)

    def grants(self) -> set[str]:
        """Every grant any row asks for."""
        rows = [r.grants for r in self.routes] + [c.grants for c in self.consumers]
        rows += [q.grants for q in self.queue_consumers] + [s.grants for s in self.schedules]
        rows += [w.grants for w in self.workflows]
        return {grant for grants in rows for grant in grants}

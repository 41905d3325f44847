"""What a token's validity depends on besides its signature: its agent, its tenant and its jti.

All three are read in one ``BatchGetItem`` (their keys are known from the token). The authorizer
keeps each answer for ``STATE_CACHE_SECONDS`` per warm container; token issuance reads fresh.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pynamodb.models import Model

from agentgate.data.batch import batch_get_many
from agentgate.data.tenant import tenant_key
from agentgate.models import AgentItem, RevokedTokenItem, TenantItem
from agentgate.platform.aws import client

PAUSED = "paused"
# How long the authorizer trusts a status it read: a pause reaches a warm container within this.
STATE_CACHE_SECONDS = 5.0


@dataclass(frozen=True)
class PrincipalState:
    tenant: TenantItem | None
    agents: dict[str, AgentItem] = field(default_factory=dict)
    revoked: bool = False

    def agent(self, agent_id: str) -> AgentItem | None:
        return self.agents.get(agent_id)

    @property
    def tenant_paused(self) -> bool:
        return self.tenant is not None and self.tenant.status == PAUSED

    def usable_agent(self, agent_id: str) -> AgentItem | None:
        """The agent when it exists and neither it nor its tenant is paused."""
        agent = self.agents.get(agent_id)
        if agent is None or self.tenant is None or self.tenant_paused or agent.status == PAUSED:
            return None
        return agent


def load_state(tenant_id: str, agent_ids: Iterable[str], jti: str | None = None) -> PrincipalState:
    """One strongly consistent BatchGetItem for the tenant, the agents and the revoked-jti marker."""
    pk = tenant_key(tenant_id)
    requests: list[tuple[type[Model], str, str]] = [(TenantItem, pk, TenantItem.SK)]
    requests += [(AgentItem, pk, AgentItem.sk_for(a)) for a in dict.fromkeys(agent_ids)]
    if jti:
        requests.append((RevokedTokenItem, RevokedTokenItem.pk_for(jti), RevokedTokenItem.SK))
    tenant: TenantItem | None = None
    agents: dict[str, AgentItem] = {}
    revoked = False
    for item in batch_get_many(requests, consistent=True):
        if isinstance(item, TenantItem):
            tenant = item
        elif isinstance(item, RevokedTokenItem):
            revoked = True
        elif isinstance(item, AgentItem):
            agents[item.agent_id] = item
    return PrincipalState(tenant=tenant, agents=agents, revoked=revoked)


class StateCache:
    """Per-container memo of ``load_state`` for the authorizer (a few seconds; see STATE_CACHE_SECONDS)."""

    def __init__(self, max_age: float = STATE_CACHE_SECONDS, max_entries: int = 10_000) -> None:
        self.max_age = max_age
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str, str], tuple[float, PrincipalState]] = {}
        self._dynamodb: Any = None

    def get(self, tenant_id: str, agent_id: str, jti: str) -> PrincipalState:
        key = (tenant_id, agent_id, jti)
        dynamodb = client("dynamodb")
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and dynamodb is self._dynamodb and now - hit[0] < self.max_age:
            return hit[1]
        state = load_state(tenant_id, [agent_id], jti)
        with self._lock:
            if dynamodb is not self._dynamodb or len(self._entries) >= self.max_entries:
                self._entries.clear()
                self._dynamodb = dynamodb
            self._entries[key] = (now, state)
        return state

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


state_cache = StateCache()

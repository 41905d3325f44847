"""What a token's validity depends on besides its signature: its agent, its tenant and its jti.

All three are read in one ``BatchGetItem`` (their keys are known from the token). The authorizer
keeps each answer for ``STATE_CACHE_SECONDS`` per warm container; token issuance reads fresh, and
reads the client's credential in the same ``BatchGetItem`` when its client id names its tenant and
agent (``agentgate.auth.secrets.client_id_owner``).
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
from agentgate.models import AgentItem, CredentialItem, RevokedTokenItem, TenantItem
from agentgate.platform.aws import client
from agentgate.platform.settings import get_settings

PAUSED = "paused"
# How long the authorizer trusts a status it read, when API Gateway does not cache its answers
# (AUTHORIZER_CACHE_TTL_SECONDS=0): then a pause reaches a warm container within this.
STATE_CACHE_SECONDS = 5.0


@dataclass(frozen=True)
class PrincipalState:
    tenant: TenantItem | None
    agents: dict[str, AgentItem] = field(default_factory=dict)
    revoked: bool = False
    credential: CredentialItem | None = None  # when asked for (``client_id``) and found

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


def load_state(
    tenant_id: str, agent_ids: Iterable[str], jti: str | None = None, *, client_id: str | None = None
) -> PrincipalState:
    """One strongly consistent BatchGetItem for the tenant, the agents, the revoked-jti marker and
    (``client_id``) the client's credential."""
    pk = tenant_key(tenant_id)
    requests: list[tuple[type[Model], str, str]] = [(TenantItem, pk, TenantItem.SK)]
    requests += [(AgentItem, pk, AgentItem.sk_for(a)) for a in dict.fromkeys(agent_ids)]
    if jti:
        requests.append((RevokedTokenItem, RevokedTokenItem.pk_for(jti), RevokedTokenItem.SK))
    if client_id:
        requests.append((CredentialItem, CredentialItem.pk_for(client_id), CredentialItem.SK))
    tenant: TenantItem | None = None
    agents: dict[str, AgentItem] = {}
    revoked = False
    credential: CredentialItem | None = None
    for item in batch_get_many(requests, consistent=True):
        if isinstance(item, TenantItem):
            tenant = item
        elif isinstance(item, RevokedTokenItem):
            revoked = True
        elif isinstance(item, AgentItem):
            agents[item.agent_id] = item
        elif isinstance(item, CredentialItem):
            credential = item
    return PrincipalState(tenant=tenant, agents=agents, revoked=revoked, credential=credential)


def state_cache_seconds() -> float:
    """How long the authorizer may reuse a status it read: 0 when API Gateway caches its answers.

    A pause flushes API Gateway's cache (``platform.gateway_cache``); the request after the flush
    must read the new status, or an Allow built from a status read just before the pause would be
    cached again for the whole TTL. With the gateway's cache on, each token reaches the authorizer
    about once per TTL anyway, so reading fresh costs one BatchGetItem per token per TTL.
    """
    return 0.0 if get_settings().authorizer_cache_ttl_seconds > 0 else STATE_CACHE_SECONDS


class StateCache:
    """Per-container memo of ``load_state`` for the authorizer (see ``state_cache_seconds``)."""

    def __init__(self, max_age: float | None = None, max_entries: int = 10_000) -> None:
        self._max_age = max_age  # None: state_cache_seconds(), from the settings
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
        if self.max_age <= 0:
            return load_state(tenant_id, [agent_id], jti)
        state = load_state(tenant_id, [agent_id], jti)
        with self._lock:
            if dynamodb is not self._dynamodb or len(self._entries) >= self.max_entries:
                self._entries.clear()
                self._dynamodb = dynamodb
            self._entries[key] = (now, state)
        return state

    @property
    def max_age(self) -> float:
        return state_cache_seconds() if self._max_age is None else self._max_age

    @max_age.setter
    def max_age(self, seconds: float) -> None:
        self._max_age = seconds

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


state_cache = StateCache()

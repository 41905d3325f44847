"""A change of state in one call: the write, its audit chain entry, and its outbound event.

The order is the write first (a write that fails records nothing), then the entry on the tenant's
hash chain (``services.audit.append``, whose own transactional append stays there), then the
domain event (``services.events.emit``: stored, fanned out to webhook subscriptions). Both are
imported when first used: they belong to the governance area above this layer, and a handler
that only reads never pays for the chain's canonical JSON.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any, TypedDict, TypeVar

from typing_extensions import Unpack

T = TypeVar("T")


class _Required(TypedDict):
    action: str  # what the audit chain records: "agent.paused"
    target: str  # on what: "agent:agt_..."


class Change(_Required, total=False):
    details: Mapping[str, Any] | None
    event: str | None  # the domain event (webhooks), when the change has one
    event_data: Mapping[str, Any] | None  # the event's data; the audit details when absent


def record(tenant_id: str, actor: str, write: Callable[[], T] | None, **change: Unpack[Change]) -> T | None:
    """Run ``write`` (if any), append the change's action on its target to the audit chain, emit its event.

    Returns what ``write`` returned.
    """
    action, target = change["action"], change["target"]
    details, event, event_data = change.get("details"), change.get("event"), change.get("event_data")
    result = write() if write is not None else None
    audit = importlib.import_module("agentgate.services.audit")
    audit.append(tenant_id, actor=actor, action=action, target=target, details=dict(details or {}))
    if event is not None:
        events = importlib.import_module("agentgate.services.events")
        events.emit(tenant_id, event, dict(event_data if event_data is not None else details or {}))
    return result

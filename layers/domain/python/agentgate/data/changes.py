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
from typing import Any, TypeVar

T = TypeVar("T")


def record(
    tenant_id: str,
    actor: str,
    write: Callable[[], T] | None,
    *,
    action: str,
    target: str,
    details: Mapping[str, Any] | None = None,
    event: str | None = None,
    event_data: Mapping[str, Any] | None = None,
) -> T | None:
    """Run ``write`` (if any), append ``action`` on ``target`` to the audit chain, emit ``event``.

    ``event_data`` defaults to the audit details; returns what ``write`` returned.
    """
    result = write() if write is not None else None
    audit = importlib.import_module("agentgate.services.audit")
    audit.append(tenant_id, actor=actor, action=action, target=target, details=dict(details or {}))
    if event is not None:
        events = importlib.import_module("agentgate.services.events")
        events.emit(tenant_id, event, dict(event_data if event_data is not None else details or {}))
    return result

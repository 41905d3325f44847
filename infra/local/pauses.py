"""Keeps the local stack's garbage collector from stopping every request for hundreds of milliseconds.

The whole local stack is one Python process: moto's tables, streams and queues, the gateway and
every function. Each full collection walks every object it holds, and that grows with what the
stack has taken in (about 940,000 objects, and 560 ms per full collection, one minute into
``make load``), while every thread, so every request in flight, waits. Lambda has none of this: a
function's container holds its own few objects.

So the objects that survive a full collection are frozen (``gc.freeze``): later collections walk
only what is newer. What is frozen is what the stack keeps (moto's items and records, the imported
modules); a cycle among them that becomes garbage later is not reclaimed, which a local stack's
lifetime affords.
"""

from __future__ import annotations

import gc
from typing import Any

_installed = False


def _freeze_after_full_collection(phase: str, info: dict[str, Any]) -> None:
    if phase == "stop" and info.get("generation") == 2:
        gc.freeze()


def freeze_survivors_of_full_collections() -> None:
    """From now on, what survives each full collection is left out of the next ones."""
    global _installed
    if not _installed:
        gc.callbacks.append(_freeze_after_full_collection)
        _installed = True

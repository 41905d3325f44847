"""The one id scheme: ``<prefix>_<random>``, or ``<prefix>_<time><random>`` where a list sorts by id.

Random parts come from ``secrets`` (ids appear in URLs and must not be guessable). A sortable id
starts with the creation time in milliseconds as 11 hex digits, so ids of one prefix sort as they
were made (and a sort key built from them lists oldest first) until the year 5000.
"""

from __future__ import annotations

import secrets
import time

RANDOM_BYTES = 8


def new_id(prefix: str, *, sortable: bool = False) -> str:
    """A fresh id such as ``agt_3f9c...``; ``sortable`` puts the creation time first."""
    if not prefix or not prefix.isalnum():
        raise ValueError(f"an id prefix is letters and digits, not {prefix!r}")
    random_part = secrets.token_hex(RANDOM_BYTES)
    if sortable:
        return f"{prefix}_{time.time_ns() // 1_000_000:011x}{random_part}"
    return f"{prefix}_{random_part}"


def ordered_id(prefix: str) -> str:
    """Shorthand for ``new_id(prefix, sortable=True)``."""
    return new_id(prefix, sortable=True)

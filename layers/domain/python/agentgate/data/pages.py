"""One shape and one set of bounds for every page of a list.

Every list route takes ``limit`` (1..``MAX_LIMIT``, default ``DEFAULT_LIMIT``) and an opaque
``cursor`` and answers ``{"items": [...], "next_cursor": ...}`` (API.md). The bounds are declared
here once; the request schemas read them (``schemas.common.PageQuery``) and the data layer clamps
to them, so a service cannot ask DynamoDB for an unbounded page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from agentgate.data.cursors import decode_cursor, encode_cursor

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
CURSOR_MAX_LENGTH = 2048

T = TypeVar("T")
U = TypeVar("U")


def bounded_limit(limit: int | None, *, maximum: int = MAX_LIMIT) -> int:
    """``limit`` within 1..maximum (None means the default)."""
    if limit is None:
        return min(DEFAULT_LIMIT, maximum)
    return max(1, min(int(limit), maximum))


@dataclass(frozen=True)
class ItemPage(Generic[T]):
    """A page of items and the cursor of the next page (None on the last page)."""

    items: list[T] = field(default_factory=list)
    next_cursor: str | None = None

    def map(self, convert: Callable[[T], U]) -> ItemPage[U]:
        """The same page with each item converted (an item to its response schema, say)."""
        return ItemPage([convert(item) for item in self.items], self.next_cursor)


def listing_page(
    ordered: Iterable[T],
    *,
    key: Callable[[T], str],
    listing: str,
    limit: int | None,
    cursor: str | None,
    keep: Callable[[T], bool] | None = None,
) -> ItemPage[T]:
    """A keyset page of a listing held in memory (the price table), ordered by ``key``: the items
    after the cursor's key that ``keep`` keeps. Its cursor is the one codec's, bound to ``listing``."""
    start = decode_cursor(cursor, {"listing": listing})
    after = start["after"]["S"] if start and "after" in start else None
    size = bounded_limit(limit)
    items: list[T] = []
    for item in ordered:
        if after is not None and key(item) <= after:
            continue
        if keep is not None and not keep(item):
            continue
        if len(items) == size:
            return ItemPage(items, encode_cursor({"listing": {"S": listing}, "after": {"S": key(items[-1])}}))
        items.append(item)
    return ItemPage(items, None)

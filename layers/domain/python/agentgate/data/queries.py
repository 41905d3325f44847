"""Reading one partition (of the table or of a GSI): keyset pages, whole listings and streams.

A page holds at most ``limit`` items that pass the filter; it keeps reading DynamoDB pages until
it has them (up to ``MAX_READS`` reads, so a sparse filter costs bounded work), and its cursor is
the key of the last item it returned, so the next page starts right after it whether it stopped
at a DynamoDB page boundary or in the middle of one. One codec (``data.cursors``) encodes every
cursor, checked on the way back in against the partition and the sort-key range the page reads.

Which part of the partition is read is a ``KeyRange`` (keyword arguments): the index, the sort-key
prefix or bounds (inclusive), the filter, the order and the read consistency.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Generic, TypedDict, TypeVar

from pynamodb.expressions.condition import Condition
from pynamodb.models import Model
from typing_extensions import Unpack

from agentgate.data.cursors import decode_cursor, encode_cursor
from agentgate.data.pages import MAX_LIMIT, ItemPage, bounded_limit
from agentgate.platform.errors import field_error
from agentgate.platform.table import INDEXES, PARTITION_KEY, SORT_KEY

M = TypeVar("M", bound=Model)
MAX_READS = 8


class KeyRange(TypedDict, total=False):
    index: str | None  # None: the table; "gsi1" / "gsi2": that index
    sk_prefix: str | None
    sk_between: tuple[str, str] | None
    sk_from: str | None
    sk_to: str | None
    filter: Condition | None
    newest_first: bool
    consistent: bool  # the table only: a GSI is never read consistently


def _key_names(index: str | None) -> tuple[str, str]:
    if index is None:
        return PARTITION_KEY, SORT_KEY
    if index not in INDEXES:
        raise ValueError(f"no index {index!r}")
    return INDEXES[index]


def _bounds(where: KeyRange) -> tuple[str | None, str | None] | None:
    between, low, high = where.get("sk_between"), where.get("sk_from"), where.get("sk_to")
    if between is not None and (low is not None or high is not None):
        raise ValueError("sk_between or sk_from/sk_to, not both")
    if between is not None:
        return between
    if low is None and high is None:
        return None
    if where.get("sk_prefix") is not None:
        raise ValueError("sk_prefix or bounds, not both")
    return (low, high)


def range_condition(model: type[Model], where: KeyRange) -> Condition | None:
    """The sort-key condition on the table's ``sk`` or the index's sort key (bounds inclusive)."""
    attribute = getattr(model, _key_names(where.get("index"))[1])
    prefix, bounds = where.get("sk_prefix"), _bounds(where)
    if prefix is not None:
        if bounds is not None:
            raise ValueError("sk_prefix or bounds, not both")
        condition: Condition = attribute.startswith(prefix)
        return condition
    if bounds is None:
        return None
    low, high = bounds
    if low is not None and high is not None:
        condition = attribute.between(low, high)
    elif low is not None:
        condition = attribute >= low
    else:
        condition = attribute <= high
    return condition


def _start_key(cursor: str | None, hash_key: str, where: KeyRange) -> dict[str, Any] | None:
    """The decoded cursor, which must also lie in the listing's sort-key range (not another listing's)."""
    hash_name, range_name = _key_names(where.get("index"))
    start = decode_cursor(cursor, {hash_name: hash_key})
    if start is None:
        return None
    position = start.get(range_name, {}).get("S", "")
    prefix = where.get("sk_prefix")
    low, high = _bounds(where) or (None, None)
    inside = (
        (prefix is None or position.startswith(prefix))
        and (low is None or low <= position)
        and (high is None or position <= high)
    )
    if not inside:
        raise field_error("cursor", "not a cursor this listing returned")
    return start


def _query(model: type[M], hash_key: str, where: KeyRange, **options: Any) -> Any:
    index = where.get("index")
    source: Any = model if index is None else getattr(model, index)
    return source.query(
        hash_key,
        range_condition(model, where),
        filter_condition=where.get("filter"),
        scan_index_forward=not where.get("newest_first", False),
        consistent_read=where.get("consistent", False) if index is None else False,
        **options,
    )


def page(
    model: type[M],
    hash_key: str,
    *,
    limit: int | None = None,
    cursor: str | None = None,
    max_limit: int = MAX_LIMIT,
    **where: Unpack[KeyRange],
) -> ItemPage[M]:
    size = bounded_limit(limit, maximum=max_limit)
    key_names = {PARTITION_KEY, SORT_KEY, *_key_names(where.get("index"))}
    results = _query(
        model, hash_key, where, last_evaluated_key=_start_key(cursor, hash_key, where), page_size=size
    )
    items: list[M] = []
    for reads, raw_page in enumerate(results.page_iter, start=1):
        raw_items = raw_page.get("Items", [])
        more_here = raw_page.get("LastEvaluatedKey") is not None
        for position, raw in enumerate(raw_items):
            items.append(model.from_raw_data(raw))
            if len(items) == size:
                more = more_here or position + 1 < len(raw_items)
                last = {name: raw[name] for name in key_names if name in raw}
                return ItemPage(items, encode_cursor(last) if more else None)
        if not more_here:
            return ItemPage(items, None)
        if reads >= MAX_READS:
            return ItemPage(items, encode_cursor(raw_page["LastEvaluatedKey"]))
    return ItemPage(items, None)


def query_all(
    model: type[M], hash_key: str, *, limit: int | None = None, **where: Unpack[KeyRange]
) -> Iterator[M]:
    """Every item of the partition that passes the filter (or the first ``limit``), read lazily."""
    results: Iterator[M] = _query(model, hash_key, where, limit=limit)
    return results


def count(model: type[M], hash_key: str, **where: Unpack[KeyRange]) -> int:
    """How many items of the partition pass the filter (DynamoDB counts them; none is read here)."""
    index = where.get("index")
    source: Any = model if index is None else getattr(model, index)
    total: int = source.count(
        hash_key,
        range_condition(model, where),
        filter_condition=where.get("filter"),
        consistent_read=where.get("consistent", False) if index is None else False,
    )
    return total


class ItemStream(Generic[M]):
    """Up to ``limit`` items read lazily, page by page (an export), and the cursor to continue after them.

    ``next_cursor`` is known once the stream has been read to its end: the key of the last item when
    the limit was reached, else None.
    """

    def __init__(self, results: Any, limit: int) -> None:
        self._results = results
        self._limit = limit
        self._count = 0

    def __iter__(self) -> Iterator[M]:
        for item in self._results:
            self._count += 1
            yield item

    @property
    def next_cursor(self) -> str | None:
        if self._count < self._limit:
            return None
        return encode_cursor(self._results.last_evaluated_key)


def stream(
    model: type[M],
    hash_key: str,
    *,
    limit: int,
    cursor: str | None = None,
    page_size: int = 500,
    **where: Unpack[KeyRange],
) -> ItemStream[M]:
    start = _start_key(cursor, hash_key, where)
    results = _query(
        model, hash_key, where, limit=limit, page_size=min(limit, page_size), last_evaluated_key=start
    )
    return ItemStream(results, limit)

"""Reading one partition (of the table or of a GSI): keyset pages and whole listings.

A page holds at most ``limit`` items that pass the filter; it keeps reading DynamoDB pages until
it has them (up to ``MAX_READS`` reads, so a sparse filter costs bounded work), and its cursor is
the key of the last item it returned, so the next page starts right after it whether it stopped
at a DynamoDB page boundary or in the middle of one. One codec (``data.cursors``) encodes every
cursor, checked on the way back in against the partition the page reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

from pynamodb.expressions.condition import Condition
from pynamodb.models import Model

from agentgate.data.cursors import decode_cursor, encode_cursor
from agentgate.data.pages import MAX_LIMIT, ItemPage, bounded_limit
from agentgate.platform.table import INDEXES, PARTITION_KEY, SORT_KEY

M = TypeVar("M", bound=Model)
MAX_READS = 8


def _key_names(index: str | None) -> tuple[str, str]:
    if index is None:
        return PARTITION_KEY, SORT_KEY
    if index not in INDEXES:
        raise ValueError(f"no index {index!r}")
    return INDEXES[index]


def range_condition(
    model: type[Model], index: str | None, sk_prefix: str | None, sk_between: tuple[str, str] | None
) -> Condition | None:
    """The sort-key condition on the table's ``sk`` or the index's sort key."""
    attribute = getattr(model, _key_names(index)[1])
    if sk_prefix is not None and sk_between is not None:
        raise ValueError("sk_prefix or sk_between, not both")
    if sk_prefix is not None:
        condition: Condition = attribute.startswith(sk_prefix)
        return condition
    if sk_between is not None:
        condition = attribute.between(*sk_between)
        return condition
    return None


def _source(model: type[M], index: str | None) -> Any:
    return model if index is None else getattr(model, index)


def page(
    model: type[M],
    hash_key: str,
    *,
    index: str | None = None,
    sk_prefix: str | None = None,
    sk_between: tuple[str, str] | None = None,
    filter: Condition | None = None,
    limit: int | None = None,
    cursor: str | None = None,
    newest_first: bool = False,
    consistent: bool = False,
    max_limit: int = MAX_LIMIT,
) -> ItemPage[M]:
    size = bounded_limit(limit, maximum=max_limit)
    hash_name, range_name = _key_names(index)
    key_names = {PARTITION_KEY, SORT_KEY, hash_name, range_name}
    results = _source(model, index).query(
        hash_key,
        range_condition(model, index, sk_prefix, sk_between),
        filter_condition=filter,
        scan_index_forward=not newest_first,
        consistent_read=consistent if index is None else False,
        last_evaluated_key=decode_cursor(cursor, {hash_name: hash_key}),
        page_size=size,
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
    model: type[M],
    hash_key: str,
    *,
    index: str | None = None,
    sk_prefix: str | None = None,
    sk_between: tuple[str, str] | None = None,
    filter: Condition | None = None,
    newest_first: bool = False,
    consistent: bool = False,
    limit: int | None = None,
) -> Iterator[M]:
    """Every item of the partition that passes the filter (or the first ``limit``), read lazily."""
    results: Iterator[M] = _source(model, index).query(
        hash_key,
        range_condition(model, index, sk_prefix, sk_between),
        filter_condition=filter,
        scan_index_forward=not newest_first,
        consistent_read=consistent if index is None else False,
        limit=limit,
    )
    return results

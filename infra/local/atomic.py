"""Makes each request to moto's DynamoDB atomic, as each request to DynamoDB is, and its transactions
cost what the items they touch cost.

moto applies a transaction item by item and, before it does, deep-copies every table the
transaction names so it can restore it on a failed condition. Two threads' requests can interleave
there: the copy fails with "dictionary changed size during iteration" (moto answers 500), or one
request's restore undoes the other's writes. DynamoDB never does either, so the local stack, and
the tests that run requests concurrently, hold one lock around every request of the backend.

The copy of the whole table also makes every transaction's cost grow with the table: on a local
stack that has taken a few thousand runs, over half of its CPU went into it. Under the lock nothing
else writes during a transaction, so a copy of the items the transaction names is enough to undo
it: that is what is kept, and it is restored on the same failures moto restores its copy on.

A query in moto sorts every item of the table and then looks for the partition's. Under the lock a
query is given only its partition's items (a table query) or the table's items unsorted (an index
query, whose results moto sorts by the index's keys anyway); moto's own matching, ordering, paging
and filtering then run as before. What the product's code does (conditions, transactions, retries,
queries) is untouched.
"""

from __future__ import annotations

import copy
import functools
import threading
import types
from collections.abc import Callable
from typing import Any

OPERATIONS = (
    "get_item",
    "put_item",
    "update_item",
    "delete_item",
    "query",
    "scan",
    "batch_get_item",
    "batch_write_item",
    "transact_get_items",
    "transact_write_items",
    "update_time_to_live",
)

_lock = threading.RLock()
_in_transaction = threading.local()


def _deepcopy_outside_transactions(value: Any, memo: Any = None) -> Any:
    """moto's ``copy.deepcopy``, except that a table named by a transaction is kept, not copied."""
    from moto.dynamodb.models.table import Table

    if getattr(_in_transaction, "active", False) and isinstance(value, Table):
        return value
    return copy.deepcopy(value, memo)


class _ItemBackup:
    """The items a transaction names, as they were before it, and how to put them back."""

    def __init__(self, backend: Any, transact_items: list[dict[str, Any]]) -> None:
        self.saved: list[tuple[Any, Any, Any, Any]] = []
        for entry in transact_items:
            _, op = next(iter(entry.items()))
            table = backend.tables.get(op.get("TableName"))
            attributes = op.get("Key") or op.get("Item")
            if table is None or not isinstance(attributes, dict):
                continue  # moto refuses it before writing anything
            hash_value, range_value = _key_values(table, attributes)
            current = table.get_item(hash_value, range_value) if hash_value is not None else None
            self.saved.append((table, hash_value, range_value, copy.deepcopy(current)))

    def restore(self) -> None:
        for table, hash_value, range_value, item in reversed(self.saved):
            if hash_value is None:
                continue
            if table.range_key_attr is None:
                if item is None:
                    table.items.pop(hash_value, None)
                else:
                    table.items[hash_value] = item
            elif item is None:
                table.items[hash_value].pop(range_value, None)
            else:
                table.items[hash_value][range_value] = item


def _key_values(table: Any, attributes: dict[str, Any]) -> tuple[Any, Any]:
    from moto.dynamodb.models.dynamo_type import DynamoType

    try:
        hash_value = DynamoType(attributes[table.hash_key_attr])
        range_value = DynamoType(attributes[table.range_key_attr]) if table.range_key_attr else None
    except (KeyError, TypeError, AttributeError):
        return None, None  # a key moto refuses: it raises before any write
    return hash_value, range_value


def _transact_write_items(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def transact(self: Any, transact_items: list[dict[str, Any]], *args: Any, **kwargs: Any) -> Any:
        backup = _ItemBackup(self, transact_items)
        _in_transaction.active = True
        try:
            return original(self, transact_items, *args, **kwargs)
        except Exception:
            backup.restore()  # moto "restored" the very tables it kept: put the items back
            raise
        finally:
            _in_transaction.active = False

    return transact


def _query_over_fewer_items(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def query(
        self: Any, hash_key: Any, range_comparison: Any, range_objs: Any, *args: Any, **kwargs: Any
    ) -> Any:
        index_name = kwargs.get("index_name") or (args[4] if len(args) > 4 else None)
        if index_name or self.range_key_attr is None:
            candidates = _unsorted_items(self)
        else:
            candidates = list(self.items.get(hash_key, {}).values())
            if range_comparison == "BEGINS_WITH" and range_objs and range_objs[0].type == "S":
                prefix = range_objs[0].value
                candidates = [item for item in candidates if str(item.range_key.value).startswith(prefix)]
        self.all_items = lambda: candidates  # shadows the method for this query only (under the lock)
        try:
            return original(self, hash_key, range_comparison, range_objs, *args, **kwargs)
        finally:
            del self.all_items

    return query


def _unsorted_items(table: Any) -> list[Any]:
    if table.range_key_attr is None:
        return list(table.items.values())
    return [item for bucket in table.items.values() for item in bucket.values()]


def make_dynamodb_atomic(setattr_: Callable[[Any, str, Any], None] = setattr) -> None:
    """Wraps every request operation of moto's DynamoDB backend in one lock (``setattr_`` may undo it)."""
    import moto.dynamodb.models as backend_module
    from moto.dynamodb.models import DynamoDBBackend

    if not getattr(backend_module.copy, "__agentgate_atomic__", False):
        shim = types.SimpleNamespace(
            **{name: getattr(copy, name) for name in dir(copy) if not name.startswith("__")}
        )
        shim.deepcopy = _deepcopy_outside_transactions
        shim.__agentgate_atomic__ = True
        setattr_(backend_module, "copy", shim)

    from moto.dynamodb.models.table import Table

    if not getattr(Table.query, "__agentgate_atomic__", False):
        cheaper = _query_over_fewer_items(Table.query)
        cheaper.__agentgate_atomic__ = True  # type: ignore[attr-defined]
        setattr_(Table, "query", cheaper)

    for name in OPERATIONS:
        original = getattr(DynamoDBBackend, name, None)
        if original is None or getattr(original, "__agentgate_atomic__", False):
            continue
        if name == "transact_write_items":
            original = _transact_write_items(original)

        @functools.wraps(original)
        def locked(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with _lock:
                return __original(self, *args, **kwargs)

        locked.__agentgate_atomic__ = True  # type: ignore[attr-defined]
        setattr_(DynamoDBBackend, name, locked)

"""The tenant-scoped accessor: every read and write of a tenant's items goes through one.

``TenantData`` is made from the authorizer's ``TenantContext`` (``tenant_data(ctx)``) or, for work
the platform does on a tenant's behalf (a consumer, a timer, a budget pausing agents), from the
tenant id and the actor the audit log should name (``TenantData.acting_for``). It knows the
tenant's partition key, so a service names only sort keys and index parts: it cannot read another
tenant's item (a get of another tenant's id is the same 404 as a missing one) and every item it
writes is checked to be the tenant's own (or a global lookup item), so tenancy holds by
construction rather than by care.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar, cast

from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from typing_extensions import Unpack

from agentgate.data import batch, changes, counters, queries, retries, writes
from agentgate.data.pages import MAX_LIMIT, ItemPage
from agentgate.data.transactions import Transaction, run_transaction
from agentgate.platform.errors import DomainError, NotFound
from agentgate.platform.settings import get_settings
from agentgate.platform.tenancy import TenantContext

M = TypeVar("M", bound=Model)
T = TypeVar("T")
TENANT_PREFIX = "TENANT#"


_PARTITION_NAMES = frozenset({"index_parts", "index_key"})


class TenantRange(queries.KeyRange, total=False):
    """A ``KeyRange`` whose GSI partition is named inside the tenant."""

    index_parts: Iterable[str]
    index_key: str | None


_INDEX_HASH_ATTRIBUTES = ("gsi1pk", "gsi2pk")


def tenant_key(tenant_id: str) -> str:
    """The partition key of a tenant's items (models.tenant_pk spells the same)."""
    return f"{TENANT_PREFIX}{tenant_id}"


def tenant_of(item: Model) -> str:
    """The id of the tenant an item read from a global index belongs to (its ``pk``)."""
    pk: str = getattr(item, "pk")  # noqa: B009 - TableModel's key, typed as Model
    if not pk.startswith(TENANT_PREFIX):
        raise ValueError(f"{type(item).__name__} is not a tenant's item")
    return pk.removeprefix(TENANT_PREFIX)


def actor_of(ctx: TenantContext) -> str:
    """How the audit log names whoever made a change: ``user:<sub>``, ``apikey:<key id>``, ``agent:<id>``."""
    return f"{ctx.principal.kind.value}:{ctx.principal.id}"


class TenantData:
    """One tenant's items. Sort keys come from the item classes' ``sk_for``; the partition from here."""

    def __init__(self, tenant_id: str, actor: str, ctx: TenantContext | None = None) -> None:
        if not tenant_id:
            raise ValueError("a tenant id is required")
        self.tenant_id = tenant_id
        self.actor = actor
        self.ctx = ctx
        self.pk = tenant_key(tenant_id)

    @classmethod
    def acting_for(cls, tenant_id: str, actor: str) -> TenantData:
        """The tenant's data, changed by the platform itself (``actor`` such as ``budget:<id>``)."""
        return cls(tenant_id, actor)

    # --- keys and items ---------------------------------------------------------------------------

    def index_key(self, *parts: str) -> str:
        """A GSI partition key inside the tenant: ``TENANT#<id>#<part>#<part>...``."""
        return "#".join((self.pk, *parts))

    def ref(self, model: type[M], sk: str) -> M:
        """An item by key alone, to update or delete without reading it first."""
        return model(self.pk, sk)

    def new(self, model: type[M], sk: str, /, **attributes: Any) -> M:
        """A new item of the tenant; ``tenant_id`` is filled in when the class has that attribute."""
        if "tenant_id" in model.get_attributes() and "tenant_id" not in attributes:
            attributes["tenant_id"] = self.tenant_id
        item = model(self.pk, sk, **attributes)
        self.check_item(item)
        return item

    def check_item(self, item: Any) -> None:
        """Refuse (a programming error, not a caller's) an item of another tenant."""
        pk = getattr(item, "pk", None)
        keys = [pk, *(getattr(item, name, None) for name in _INDEX_HASH_ATTRIBUTES)]
        for key in keys:
            if isinstance(key, str) and key.startswith(TENANT_PREFIX):
                if key != self.pk and not key.startswith(self.pk + "#"):
                    raise ValueError(f"{type(item).__name__} belongs to another tenant")

    # --- reads ------------------------------------------------------------------------------------

    def find(self, model: type[M], sk: str, *, consistent: bool = False) -> M | None:
        """The item, or None when the tenant has none under ``sk``."""
        try:
            return model.get(self.pk, sk, consistent_read=consistent)
        except model.DoesNotExist:
            return None

    def get(self, model: type[M], sk: str, *, missing: str = "Not found.", consistent: bool = False) -> M:
        """The item, or ``NotFound(missing)``: absent and another tenant's are the same answer."""
        item = self.find(model, sk, consistent=consistent)
        if item is None:
            raise NotFound(missing)
        return item

    def page(
        self,
        model: type[M],
        *,
        limit: int | None = None,
        cursor: str | None = None,
        max_limit: int = MAX_LIMIT,
        **where: Unpack[TenantRange],
    ) -> ItemPage[M]:
        """A page of the tenant's items, of the table (``sk_prefix``) or of a GSI (``index`` and
        ``index_key``, as the item class builds it, or ``index_parts`` joined after the tenant's key)."""
        hash_key, key_range = self._partition(where)
        return queries.page(model, hash_key, limit=limit, cursor=cursor, max_limit=max_limit, **key_range)

    def query(self, model: type[M], *, limit: int | None = None, **where: Unpack[TenantRange]) -> Iterator[M]:
        """Every matching item of the tenant (for work over a whole listing, not for a list route)."""
        hash_key, key_range = self._partition(where)
        return queries.query_all(model, hash_key, limit=limit, **key_range)

    def count(self, model: type[M], **where: Unpack[TenantRange]) -> int:
        """How many of the tenant's items match (a usage meter), without reading them."""
        hash_key, key_range = self._partition(where)
        return queries.count(model, hash_key, **key_range)

    def stream(
        self, model: type[M], *, limit: int, cursor: str | None = None, **where: Unpack[TenantRange]
    ) -> queries.ItemStream[M]:
        """Up to ``limit`` items read lazily (for an export too big for one page), then a cursor."""
        hash_key, key_range = self._partition(where)
        return queries.stream(model, hash_key, limit=limit, cursor=cursor, **key_range)

    def _partition(self, where: TenantRange) -> tuple[str, queries.KeyRange]:
        """The partition to read, and the rest of the range; an index key must be inside the tenant."""
        parts: tuple[str, ...] = tuple(where.get("index_parts") or ())
        key: str | None = where.get("index_key")
        key_range = cast(
            queries.KeyRange, {name: value for name, value in where.items() if name not in _PARTITION_NAMES}
        )
        if where.get("index") is None:
            if parts or key:
                raise ValueError("index_parts and index_key need an index")
            return self.pk, key_range
        if key is not None:
            if parts or not key.startswith(self.pk + "#"):
                raise ValueError("an index key of another tenant, or both index_key and index_parts")
            return key, key_range
        if not parts:
            raise ValueError("an index query names its partition (index_key or index_parts)")
        return self.index_key(*parts), key_range

    def batch_get(self, model: type[M], sks: Iterable[str], *, consistent: bool = False) -> list[M]:
        """The tenant's items under ``sks`` that exist, in that order."""
        return batch.batch_get(model, [(self.pk, sk) for sk in sks], consistent=consistent)

    # --- writes -----------------------------------------------------------------------------------

    def put(self, item: M, condition: Condition | None = None, *, or_raise: DomainError | None = None) -> M:
        self.check_item(item)
        return writes.put(item, condition, or_raise=or_raise)

    def update(
        self,
        item: M,
        actions: Sequence[Action],
        condition: Condition | None = None,
        *,
        or_raise: DomainError | None = None,
    ) -> M:
        self.check_item(item)
        return writes.update(item, actions, condition, or_raise=or_raise)

    def delete(
        self, item: Model, condition: Condition | None = None, *, or_raise: DomainError | None = None
    ) -> None:
        self.check_item(item)
        writes.delete(item, condition, or_raise=or_raise)

    def batch_write(self, puts: Iterable[Model] = (), deletes: Iterable[Model] = ()) -> None:
        puts, deletes = list(puts), list(deletes)
        for item in (*puts, *deletes):
            self.check_item(item)
        batch.batch_write(puts, deletes)

    def write_counted(self, first: Model, adding_to: Iterable[counters.Counter]) -> bool:
        """Put ``first`` unless its key is taken, and add to the tenant's counter items ``adding_to``
        (sort key, additions, attributes set when absent), in one transaction.

        False when ``first`` was already there: a duplicate, counted before (see ``data.counters``).
        """
        self.check_item(first)
        table = get_settings().table_name
        updates = [counters.counter_update(table, self.pk, sk, adds, sets) for sk, adds, sets in adding_to]
        return counters.write_counted([counters.put_if_absent(table, first), *updates])

    def transact(
        self,
        build: Callable[[Transaction], T],
        *,
        attempts: int = retries.ATTEMPTS,
        busy_message: str = retries.BUSY_MESSAGE,
        retry_conditions: bool = False,
    ) -> T:
        """Run ``build``'s steps as one transaction, retried on conflicts (see ``data.transactions``);
        with ``retry_conditions``, a failed condition (a stale read) builds and sends it again."""
        return run_transaction(
            build,
            check_item=self.check_item,
            attempts=attempts,
            busy_message=busy_message,
            retry_conditions=retry_conditions,
        )

    # --- a change of state ------------------------------------------------------------------------

    def record(self, write: Callable[[], T] | None, **change: Unpack[changes.Change]) -> T | None:
        """Make a change: the write, then its audit entry, then its domain event (see ``data.changes``).

        ``change``: ``action``, ``target``, and optionally ``details``, ``event`` and ``event_data``.
        """
        return changes.record(self.tenant_id, self.actor, write, **change)


def tenant_data(ctx: TenantContext) -> TenantData:
    """The caller's tenant's data; changes are recorded as the caller's."""
    return TenantData(ctx.tenant_id, actor_of(ctx), ctx)


SYSTEM_ACTOR = "system"


def system_data(tenant_id: str, actor: str = SYSTEM_ACTOR) -> TenantData:
    """A tenant's data for the platform's own work (consumers, timers); changes are ``actor``'s."""
    return TenantData.acting_for(tenant_id, actor)

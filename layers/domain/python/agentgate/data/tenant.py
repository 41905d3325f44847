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

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model

from agentgate.data import batch, changes, queries, retries, writes
from agentgate.data.pages import MAX_LIMIT, ItemPage
from agentgate.data.transactions import Transaction, run_transaction
from agentgate.platform.errors import DomainError, NotFound
from agentgate.platform.tenancy import TenantContext

M = TypeVar("M", bound=Model)
T = TypeVar("T")
TENANT_PREFIX = "TENANT#"
_INDEX_HASH_ATTRIBUTES = ("gsi1pk", "gsi2pk")


def tenant_key(tenant_id: str) -> str:
    """The partition key of a tenant's items (models.tenant_pk spells the same)."""
    return f"{TENANT_PREFIX}{tenant_id}"


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

    def new(self, model: type[M], sk: str, **attributes: Any) -> M:
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
        sk_prefix: str | None = None,
        sk_between: tuple[str, str] | None = None,
        index: str | None = None,
        index_parts: Iterable[str] = (),
        filter: Condition | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        newest_first: bool = False,
        consistent: bool = False,
        max_limit: int = MAX_LIMIT,
    ) -> ItemPage[M]:
        """A page of the tenant's items, of the table (``sk_prefix``) or of a GSI (``index``, parts)."""
        return queries.page(
            model,
            self._hash_key(index, index_parts),
            index=index,
            sk_prefix=sk_prefix,
            sk_between=sk_between,
            filter=filter,
            limit=limit,
            cursor=cursor,
            newest_first=newest_first,
            consistent=consistent,
            max_limit=max_limit,
        )

    def query(
        self,
        model: type[M],
        *,
        sk_prefix: str | None = None,
        sk_between: tuple[str, str] | None = None,
        index: str | None = None,
        index_parts: Iterable[str] = (),
        filter: Condition | None = None,
        newest_first: bool = False,
        consistent: bool = False,
        limit: int | None = None,
    ) -> Iterator[M]:
        """Every matching item of the tenant (for work over a whole listing, not for a list route)."""
        return queries.query_all(
            model,
            self._hash_key(index, index_parts),
            index=index,
            sk_prefix=sk_prefix,
            sk_between=sk_between,
            filter=filter,
            newest_first=newest_first,
            consistent=consistent,
            limit=limit,
        )

    def _hash_key(self, index: str | None, parts: Iterable[str]) -> str:
        parts = tuple(parts)
        if index is None:
            if parts:
                raise ValueError("index_parts need an index")
            return self.pk
        if not parts:
            raise ValueError("an index query names its partition's parts")
        return self.index_key(*parts)

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
        actions: list[Action],
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

    def transact(
        self,
        build: Callable[[Transaction], T],
        *,
        attempts: int = retries.ATTEMPTS,
        busy_message: str = retries.BUSY_MESSAGE,
    ) -> T:
        """Run ``build``'s steps as one transaction, retried on conflicts (see ``data.transactions``)."""
        return run_transaction(
            build, check_item=self.check_item, attempts=attempts, busy_message=busy_message
        )

    # --- a change of state ------------------------------------------------------------------------

    def record(
        self,
        write: Callable[[], T] | None,
        *,
        action: str,
        target: str,
        details: Mapping[str, Any] | None = None,
        event: str | None = None,
        event_data: Mapping[str, Any] | None = None,
    ) -> T | None:
        """Make a change: the write, then its audit entry, then its domain event (see ``data.changes``)."""
        return changes.record(
            self.tenant_id,
            self.actor,
            write,
            action=action,
            target=target,
            details=details,
            event=event,
            event_data=event_data,
        )


def tenant_data(ctx: TenantContext) -> TenantData:
    """The caller's tenant's data; changes are recorded as the caller's."""
    return TenantData(ctx.tenant_id, actor_of(ctx), ctx)

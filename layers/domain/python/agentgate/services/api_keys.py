"""Tenant API keys: ``agk_`` + 256 random bits, stored only as a SHA-256 hash, shown once.

Two items per key: the tenant's record (``APIKEY#<id>``: name, scopes, hash, last use) for listing
and revoking, and the global lookup (``APIKEY#<hash>``) the authorizer reads in one get. Revoking
deletes the lookup, so a revoked key stops at once (up to the authorizer's cache TTL). A key of
256 random bits cannot be guessed, so a fast hash is the right one.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from agentgate.data.ids import new_id
from agentgate.data.lookups import find_global, update_global
from agentgate.data.tenant import system_data, tenant_data
from agentgate.data.transactions import ConditionFailed, Transaction
from agentgate.models import ApiKeyItem, ApiKeyLookupItem, TenantItem
from agentgate.platform.tenancy import Caller, Principal, TenantContext
from agentgate.schemas.api_keys import ApiKey, ApiKeyCreate, ApiKeyPage, CreatedApiKey
from agentgate.schemas.common import PageQuery

KEY_PREFIX = "agk_"
KEY_ID_PREFIX = "key"
SHOWN_PREFIX_LENGTH = len(KEY_PREFIX) + 6
# last_used_at is written at most once a minute per key: a busy key costs a write a minute, not one a call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _api_key(item: ApiKeyItem) -> ApiKey:
    return ApiKey(
        id=item.key_id,
        name=item.name,
        scopes=sorted(item.scopes or ()),
        prefix=item.prefix,
        status=item.status,
        created_at=item.created_at,
        created_by=item.created_by,
        last_used_at=item.last_used_at,
        revoked_at=item.revoked_at,
    )


def create(ctx: TenantContext, request: ApiKeyCreate) -> CreatedApiKey:
    data = tenant_data(ctx)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    key_id = new_id(KEY_ID_PREFIX)
    key_hash = hash_key(key)
    scopes = set(request.scopes)
    item = data.new(
        ApiKeyItem,
        ApiKeyItem.sk_for(key_id),
        key_id=key_id,
        name=request.name,
        scopes=scopes,
        key_hash=key_hash,
        prefix=key[:SHOWN_PREFIX_LENGTH],
        status="active",
        created_at=datetime.now(UTC),
        created_by=data.actor,
    )
    lookup = ApiKeyLookupItem(
        ApiKeyLookupItem.pk_for(key_hash),
        ApiKeyLookupItem.SK,
        tenant_id=ctx.tenant_id,
        key_id=key_id,
        scopes=scopes,
    )

    def steps(tx: Transaction) -> None:
        tx.put(item, ApiKeyItem.pk.does_not_exist())
        tx.put(lookup, ApiKeyLookupItem.pk.does_not_exist())

    data.record(
        lambda: data.transact(steps),
        action="api_key.created",
        target=f"api_key:{key_id}",
        details={"name": request.name, "scopes": sorted(scopes)},
    )
    return CreatedApiKey(key=key, **_api_key(item).model_dump())


def list_keys(ctx: TenantContext, query: PageQuery) -> ApiKeyPage:
    page = tenant_data(ctx).page(
        ApiKeyItem, sk_prefix=ApiKeyItem.SK_PREFIX, limit=query.limit, cursor=query.cursor
    )
    return ApiKeyPage(items=[_api_key(item) for item in page.items], next_cursor=page.next_cursor)


def revoke(ctx: TenantContext, key_id: str) -> None:
    data = tenant_data(ctx)
    item = data.get(ApiKeyItem, ApiKeyItem.sk_for(key_id), missing="No such API key.", consistent=True)
    if item.status == "revoked":
        return

    def steps(tx: Transaction) -> None:
        tx.update(
            item,
            [ApiKeyItem.status.set("revoked"), ApiKeyItem.revoked_at.set(datetime.now(UTC))],
            ApiKeyItem.status == "active",
        )
        tx.delete(ApiKeyLookupItem(ApiKeyLookupItem.pk_for(item.key_hash), ApiKeyLookupItem.SK))

    try:
        data.record(
            lambda: data.transact(steps),
            action="api_key.revoked",
            target=f"api_key:{key_id}",
            details={"name": item.name},
        )
    except ConditionFailed:
        return  # revoked by someone else meanwhile: the key is revoked either way


def _note_use(lookup: ApiKeyLookupItem, now: datetime) -> None:
    """Record the key's use when the last record is older than the resolution (one writer wins).

    Raises ``ConditionFailed`` when the key was revoked between the read and the write.
    """
    stale_before = now - LAST_USED_RESOLUTION
    if lookup.last_used_at is not None and lookup.last_used_at > stale_before:
        return
    try:
        update_global(
            lookup,
            [ApiKeyLookupItem.last_used_at.set(now)],
            ApiKeyLookupItem.pk.exists()
            & (
                ApiKeyLookupItem.last_used_at.does_not_exist()
                | (ApiKeyLookupItem.last_used_at < stale_before)
            ),
        )
    except ConditionFailed:
        return  # another request recorded this minute's use, or the key was just revoked
    data = system_data(lookup.tenant_id)
    data.update(
        data.ref(ApiKeyItem, ApiKeyItem.sk_for(lookup.key_id)),
        [ApiKeyItem.last_used_at.set(now)],
        ApiKeyItem.status == "active",
    )


def authenticate(key: str) -> TenantContext | None:
    """The tenant context of a presented API key; None for an unknown, malformed or revoked key."""
    if not key.startswith(KEY_PREFIX) or len(key) > 128:
        return None
    lookup = find_global(ApiKeyLookupItem, ApiKeyLookupItem.pk_for(hash_key(key)), ApiKeyLookupItem.SK)
    if lookup is None:
        return None
    tenant = system_data(lookup.tenant_id).find(TenantItem, TenantItem.SK)
    if tenant is None:
        return None
    try:
        _note_use(lookup, datetime.now(UTC))
    except ConditionFailed:
        return None  # the key was revoked between the read and the write: refuse it
    principal = Principal(kind=Caller.APIKEY, id=lookup.key_id, scopes=frozenset(lookup.scopes or ()))
    return TenantContext(tenant_id=lookup.tenant_id, principal=principal, tier=tenant.tier)

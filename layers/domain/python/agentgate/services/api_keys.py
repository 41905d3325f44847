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

from pynamodb.exceptions import TransactWriteError, UpdateError

from agentgate.data.cursors import decode_cursor, encode_cursor
from agentgate.data.transactions import transaction
from agentgate.models import ApiKeyItem, ApiKeyLookupItem, TenantItem, tenant_pk
from agentgate.platform.errors import NotFound
from agentgate.platform.tenancy import Caller, Principal, TenantContext
from agentgate.schemas.api_keys import ApiKey, ApiKeyCreate, ApiKeyPage, CreatedApiKey
from agentgate.schemas.common import PageQuery
from agentgate.services import audit

KEY_PREFIX = "agk_"
KEY_ID_PREFIX = "key_"
SHOWN_PREFIX_LENGTH = len(KEY_PREFIX) + 6
# last_used_at is written at most once a minute per key: a busy key costs a write a minute, not one a call.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_KEY_SK_PREFIX = "APIKEY#"


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
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    key_id = KEY_ID_PREFIX + secrets.token_hex(8)
    key_hash = hash_key(key)
    scopes = set(request.scopes)
    item = ApiKeyItem(
        ctx.pk,
        ApiKeyItem.sk_for(key_id),
        tenant_id=ctx.tenant_id,
        key_id=key_id,
        name=request.name,
        scopes=scopes,
        key_hash=key_hash,
        prefix=key[:SHOWN_PREFIX_LENGTH],
        status="active",
        created_at=datetime.now(UTC),
        created_by=audit.actor_of(ctx),
    )
    lookup = ApiKeyLookupItem(
        ApiKeyLookupItem.pk_for(key_hash),
        ApiKeyLookupItem.SK,
        tenant_id=ctx.tenant_id,
        key_id=key_id,
        scopes=scopes,
    )
    with transaction() as tx:
        tx.save(item, condition=ApiKeyItem.pk.does_not_exist())
        tx.save(lookup, condition=ApiKeyLookupItem.pk.does_not_exist())
    audit.append(
        ctx.tenant_id,
        actor=audit.actor_of(ctx),
        action="api_key.created",
        target=f"api_key:{key_id}",
        details={"name": request.name, "scopes": sorted(scopes)},
    )
    return CreatedApiKey(key=key, **_api_key(item).model_dump())


def list_keys(ctx: TenantContext, query: PageQuery) -> ApiKeyPage:
    results = ApiKeyItem.query(
        ctx.pk,
        ApiKeyItem.sk.startswith(_KEY_SK_PREFIX),
        limit=query.limit,
        last_evaluated_key=decode_cursor(query.cursor, {"pk": ctx.pk}),
    )
    items = [_api_key(item) for item in results]
    return ApiKeyPage(items=items, next_cursor=encode_cursor(results.last_evaluated_key))


def revoke(ctx: TenantContext, key_id: str) -> None:
    try:
        item = ApiKeyItem.get(ctx.pk, ApiKeyItem.sk_for(key_id), consistent_read=True)
    except ApiKeyItem.DoesNotExist:
        raise NotFound("No such API key.") from None
    if item.status == "revoked":
        return
    try:
        with transaction() as tx:
            tx.update(
                item,
                actions=[ApiKeyItem.status.set("revoked"), ApiKeyItem.revoked_at.set(datetime.now(UTC))],
                condition=ApiKeyItem.status == "active",
            )
            tx.delete(ApiKeyLookupItem(ApiKeyLookupItem.pk_for(item.key_hash), ApiKeyLookupItem.SK))
    except TransactWriteError as exc:
        if exc.cause_response_code != "TransactionCanceledException":
            raise
        return  # revoked by someone else meanwhile: the key is revoked either way
    audit.append(
        ctx.tenant_id,
        actor=audit.actor_of(ctx),
        action="api_key.revoked",
        target=f"api_key:{key_id}",
        details={"name": item.name},
    )


def _note_use(lookup: ApiKeyLookupItem, now: datetime) -> None:
    """Record the key's use when the last record is older than the resolution (one writer wins)."""
    stale_before = now - LAST_USED_RESOLUTION
    if lookup.last_used_at is not None and lookup.last_used_at > stale_before:
        return
    try:
        lookup.update(
            actions=[ApiKeyLookupItem.last_used_at.set(now)],
            condition=ApiKeyLookupItem.pk.exists()
            & (
                ApiKeyLookupItem.last_used_at.does_not_exist()
                | (ApiKeyLookupItem.last_used_at < stale_before)
            ),
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return  # another request recorded this minute's use, or the key was just revoked
        raise
    ApiKeyItem(tenant_pk(lookup.tenant_id), ApiKeyItem.sk_for(lookup.key_id)).update(
        actions=[ApiKeyItem.last_used_at.set(now)], condition=ApiKeyItem.status == "active"
    )


def authenticate(key: str) -> TenantContext | None:
    """The tenant context of a presented API key; None for an unknown, malformed or revoked key."""
    if not key.startswith(KEY_PREFIX) or len(key) > 128:
        return None
    try:
        lookup = ApiKeyLookupItem.get(ApiKeyLookupItem.pk_for(hash_key(key)), ApiKeyLookupItem.SK)
    except ApiKeyLookupItem.DoesNotExist:
        return None
    try:
        tenant = TenantItem.get(tenant_pk(lookup.tenant_id), TenantItem.SK)
    except TenantItem.DoesNotExist:
        return None
    try:
        _note_use(lookup, datetime.now(UTC))
    except UpdateError:
        pass  # the key was revoked between the read and the write: refuse it
    else:
        principal = Principal(kind=Caller.APIKEY, id=lookup.key_id, scopes=frozenset(lookup.scopes or ()))
        return TenantContext(tenant_id=lookup.tenant_id, principal=principal, tier=tenant.tier)
    return None

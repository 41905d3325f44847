"""Tenant API keys: ``agk_`` + 256 random bits, stored only as a SHA-256 hash, shown once.

Two items per key: the tenant's record (``APIKEY#<id>``: name, scopes, hash) for listing and
revoking, and the global lookup (``APIKEY#<hash>``) the authorizer reads in one get: it carries the
scopes, the tenant's tier, usage-plan key and status (``agentgate.data.principals``) and the key's
last use, written there at most once a minute (one write; listing reads it back, revoking copies it
to the record). Revoking deletes the lookup, so a revoked key stops at once (up to the authorizer's
cache TTL). A key of 256 random bits cannot be guessed, so a fast hash is the right one.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from agentgate.data.batch import batch_get
from agentgate.data.ids import new_id
from agentgate.data.lookups import find_global, update_global
from agentgate.data.principals import TenantFacts, hold_facts, read_facts
from agentgate.data.tenant import system_data, tenant_data
from agentgate.data.transactions import ConditionFailed, Transaction
from agentgate.models import ApiKeyItem, ApiKeyLookupItem, TenantItem
from agentgate.platform.errors import Conflict
from agentgate.platform.gateway_cache import flush_authorizer_cache
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


def _api_key(item: ApiKeyItem, lookup: ApiKeyLookupItem | None = None) -> ApiKey:
    last_used_at = lookup.last_used_at if lookup is not None and lookup.last_used_at else item.last_used_at
    return ApiKey(
        id=item.key_id,
        name=item.name,
        scopes=sorted(item.scopes or ()),
        prefix=item.prefix,
        status=item.status,
        created_at=item.created_at,
        created_by=item.created_by,
        last_used_at=last_used_at,
        revoked_at=item.revoked_at,
    )


def create(ctx: TenantContext, request: ApiKeyCreate) -> CreatedApiKey:
    data = tenant_data(ctx)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    key_id = new_id(KEY_ID_PREFIX)
    key_hash = hash_key(key)
    scopes = set(request.scopes)
    facts = read_facts(data)
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
        **facts.attributes(),
    )

    def steps(tx: Transaction) -> None:
        tx.put(item, ApiKeyItem.pk.does_not_exist())
        tx.put(lookup, ApiKeyLookupItem.pk.does_not_exist())
        hold_facts(tx, data, facts)

    def write() -> None:
        try:
            data.transact(steps)
        except ConditionFailed as failed:
            if "tenant_facts" in failed.failed:
                raise Conflict(
                    "The organisation's plan or status changed meanwhile; create the key again.",
                    code="conflict",
                ) from None
            raise

    data.record(
        write,
        action="api_key.created",
        target=f"api_key:{key_id}",
        details={"name": request.name, "scopes": sorted(scopes)},
    )
    return CreatedApiKey(key=key, **_api_key(item).model_dump())


def list_keys(ctx: TenantContext, query: PageQuery) -> ApiKeyPage:
    page = tenant_data(ctx).page(
        ApiKeyItem, sk_prefix=ApiKeyItem.SK_PREFIX, limit=query.limit, cursor=query.cursor
    )
    active = [item for item in page.items if item.status == "active"]
    lookups = {
        lookup.key_id: lookup
        for lookup in batch_get(
            ApiKeyLookupItem, [(ApiKeyLookupItem.pk_for(i.key_hash), ApiKeyLookupItem.SK) for i in active]
        )
        if lookup.tenant_id == ctx.tenant_id
    }
    return ApiKeyPage(
        items=[_api_key(item, lookups.get(item.key_id)) for item in page.items], next_cursor=page.next_cursor
    )


def revoke(ctx: TenantContext, key_id: str) -> None:
    data = tenant_data(ctx)
    item = data.get(ApiKeyItem, ApiKeyItem.sk_for(key_id), missing="No such API key.", consistent=True)
    if item.status == "revoked":
        return
    lookup = find_global(ApiKeyLookupItem, ApiKeyLookupItem.pk_for(item.key_hash), ApiKeyLookupItem.SK)
    actions = [ApiKeyItem.status.set("revoked"), ApiKeyItem.revoked_at.set(datetime.now(UTC))]
    if lookup is not None and lookup.last_used_at is not None:  # the last use lived on the lookup
        actions.append(ApiKeyItem.last_used_at.set(lookup.last_used_at))

    def steps(tx: Transaction) -> None:
        tx.update(item, actions, ApiKeyItem.status == "active")
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
    # The gateway keeps the key's Allow for the authorizer's TTL: drop it so the next request is refused.
    flush_authorizer_cache(f"API key {key_id} of {ctx.tenant_id} revoked")


def _note_use(lookup: ApiKeyLookupItem, now: datetime) -> None:
    """Record the key's use on its lookup when the last record is older than the resolution (one
    writer wins): at most one write a minute per key. A key revoked meanwhile is left alone."""
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


@dataclass(frozen=True)
class AuthenticatedKey:
    ctx: TenantContext
    facts: TenantFacts  # the tenant's tier, usage-plan key and status, from the key's lookup


def authenticate(key: str) -> TenantContext | None:
    """The tenant context of a presented API key; None for an unknown, malformed or revoked key."""
    found = authenticate_key(key)
    return None if found is None else found.ctx


def authenticate_key(key: str) -> AuthenticatedKey | None:
    """Who a presented API key is; None for an unknown, malformed or revoked key. One GetItem (and, once
    a minute per key, one write of its last use)."""
    if not key.startswith(KEY_PREFIX) or len(key) > 128:
        return None
    lookup = find_global(ApiKeyLookupItem, ApiKeyLookupItem.pk_for(hash_key(key)), ApiKeyLookupItem.SK)
    if lookup is None:
        return None
    facts = _facts(lookup)
    if facts is None:
        return None
    _note_use(lookup, datetime.now(UTC))
    principal = Principal(kind=Caller.APIKEY, id=lookup.key_id, scopes=frozenset(lookup.scopes or ()))
    return AuthenticatedKey(
        ctx=TenantContext(tenant_id=lookup.tenant_id, principal=principal, tier=facts.tier), facts=facts
    )


def _facts(lookup: ApiKeyLookupItem) -> TenantFacts | None:
    """The tenant's facts from the lookup; read from the tenant for a lookup written before they were."""
    if lookup.tier is not None and lookup.tenant_status is not None:
        return TenantFacts(tier=lookup.tier, usage_key=lookup.usage_key, status=lookup.tenant_status)
    tenant = system_data(lookup.tenant_id).find(TenantItem, TenantItem.SK)
    return None if tenant is None else TenantFacts.of(tenant)

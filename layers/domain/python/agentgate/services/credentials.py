"""An agent's OAuth client credentials: create, rotate with a grace period, list, revoke, authenticate.

Each agent has at most one active credential (``ActiveCredentialItem`` points at it): a POST when
one is active rotates its secret, keeping the client id and letting the previous secret work for
the grace period the caller chose. The secret is returned once and stored only as a hash.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from pynamodb.expressions.condition import Condition

from agentgate.auth.errors import InvalidClient
from agentgate.auth.http import PresentedClient
from agentgate.auth.secrets import (
    client_id_owner,
    hash_secret,
    new_client_id,
    new_client_secret,
    secret_matches,
)
from agentgate.auth.state import PrincipalState, load_state
from agentgate.data.ids import ordered_id
from agentgate.data.lookups import find_global
from agentgate.data.tenant import TenantData, tenant_data
from agentgate.data.transactions import ConditionFailed, Transaction
from agentgate.models import ActiveCredentialItem, AgentItem, CredentialItem
from agentgate.platform.errors import Conflict, NotFound
from agentgate.platform.tenancy import TenantContext
from agentgate.schemas.common import PageQuery
from agentgate.schemas.credentials import CreateCredential, Credential, CredentialPage, IssuedCredential

ACTIVE, REVOKED, EXPIRED = "active", "revoked", "expired"


def _now() -> datetime:
    return datetime.now(UTC)


def _record(data: TenantData, write: Callable[[], object], action: str, item: CredentialItem) -> None:
    data.record(
        write,
        action=action,
        target=f"agent:{item.agent_id}",
        details={"credential_id": item.credential_id, "client_id": item.client_id},
    )


def new_credential_id() -> str:
    """Time-ordered, so an agent's credentials list newest first by id."""
    return ordered_id("cred")


def _agent_not_found(agent_id: str) -> NotFound:
    return NotFound(f"Agent {agent_id} not found.", code="agent_not_found")


def _require_agent(ctx: TenantContext, agent_id: str) -> AgentItem:
    agent = tenant_data(ctx).find(AgentItem, AgentItem.sk_for(agent_id))
    if agent is None:
        raise _agent_not_found(agent_id)
    return agent


def _state(item: CredentialItem, now: datetime) -> str:
    if item.status == REVOKED:
        return REVOKED
    if item.expires_at is not None and item.expires_at <= now:
        return EXPIRED
    return ACTIVE


def _active_credential(ctx: TenantContext, agent_id: str, now: datetime) -> CredentialItem | None:
    pointer = tenant_data(ctx).find(
        ActiveCredentialItem, ActiveCredentialItem.sk_for(agent_id), consistent=True
    )
    if pointer is None:
        return None
    item = find_global(
        CredentialItem, CredentialItem.pk_for(pointer.client_id), CredentialItem.SK, consistent=True
    )
    return item if item is not None and _state(item, now) == ACTIVE else None


def _rotate(
    ctx: TenantContext, item: CredentialItem, request: CreateCredential, now: datetime
) -> IssuedCredential:
    secret = new_client_secret()
    grace_until = now + timedelta(seconds=request.grace_period_seconds)
    expires = now + timedelta(days=request.expires_in_days)
    data = tenant_data(ctx)
    actions = [
        CredentialItem.previous_secret_hash.set(item.secret_hash),
        CredentialItem.previous_secret_valid_until.set(grace_until),
        CredentialItem.secret_hash.set(hash_secret(secret)),
        CredentialItem.rotated_at.set(now),
        CredentialItem.expires_at.set(expires),
    ]
    unchanged = (CredentialItem.secret_hash == item.secret_hash) & (CredentialItem.status == ACTIVE)
    conflict = Conflict("The credential changed meanwhile; retry.", code="credential_conflict")
    _record(
        data, lambda: data.update(item, actions, unchanged, or_raise=conflict), "credential.rotated", item
    )
    return IssuedCredential(
        credential_id=item.credential_id,
        client_id=item.client_id,
        client_secret=secret,
        expires_at=expires,
        rotated=True,
        previous_secret_valid_until=grace_until,
    )


def _create(
    ctx: TenantContext, agent_id: str, request: CreateCredential, now: datetime, stale_client_id: str | None
) -> IssuedCredential:
    secret = new_client_secret()
    data = tenant_data(ctx)
    credential_id, client_id = new_credential_id(), new_client_id(ctx.tenant_id, agent_id)
    item = CredentialItem(
        CredentialItem.pk_for(client_id),
        CredentialItem.SK,
        tenant_id=ctx.tenant_id,
        agent_id=agent_id,
        credential_id=credential_id,
        client_id=client_id,
        secret_hash=hash_secret(secret),
        status=ACTIVE,
        created_at=now,
        expires_at=now + timedelta(days=request.expires_in_days),
        gsi1pk=CredentialItem.gsi1pk_for(ctx.tenant_id, agent_id),
        gsi1sk=credential_id,
    )
    pointer = data.new(
        ActiveCredentialItem,
        ActiveCredentialItem.sk_for(agent_id),
        agent_id=agent_id,
        client_id=client_id,
        credential_id=credential_id,
    )
    # Two concurrent first POSTs cannot both leave an active credential: the pointer is conditional.
    pointer_free: Condition = ActiveCredentialItem.pk.does_not_exist()
    if stale_client_id is not None:
        pointer_free = ActiveCredentialItem.client_id == stale_client_id

    def steps(tx: Transaction) -> None:
        tx.check(data.ref(AgentItem, AgentItem.sk_for(agent_id)), AgentItem.pk.exists(), name="agent")
        tx.put(item, CredentialItem.pk.does_not_exist())
        tx.put(pointer, pointer_free)

    def write() -> None:
        try:
            data.transact(steps)
        except ConditionFailed as failed:
            if "agent" in failed.failed:
                raise _agent_not_found(agent_id) from None
            raise Conflict(
                "Another credential was created meanwhile; retry.", code="credential_conflict"
            ) from None

    _record(data, write, "credential.created", item)
    return IssuedCredential(
        credential_id=credential_id, client_id=client_id, client_secret=secret, expires_at=item.expires_at
    )


def issue_credential(ctx: TenantContext, agent_id: str, request: CreateCredential) -> IssuedCredential:
    """Create the agent's credential, or rotate the active one (the old secret works for the grace period)."""
    _require_agent(ctx, agent_id)
    now = _now()
    active = _active_credential(ctx, agent_id, now)
    if active is not None:
        return _rotate(ctx, active, request, now)
    stale = tenant_data(ctx).find(
        ActiveCredentialItem, ActiveCredentialItem.sk_for(agent_id), consistent=True
    )
    return _create(ctx, agent_id, request, now, stale.client_id if stale else None)


def _view(item: CredentialItem, now: datetime) -> Credential:
    return Credential(
        credential_id=item.credential_id,
        client_id=item.client_id,
        agent_id=item.agent_id,
        status=_state(item, now),  # type: ignore[arg-type]
        created_at=item.created_at,
        expires_at=item.expires_at or item.created_at,
        rotated_at=item.rotated_at,
        revoked_at=item.revoked_at,
        previous_secret_valid_until=item.previous_secret_valid_until,
    )


def list_credentials(ctx: TenantContext, agent_id: str, query: PageQuery) -> CredentialPage:
    """The agent's credentials, newest first, never with a secret."""
    _require_agent(ctx, agent_id)
    page = tenant_data(ctx).page(
        CredentialItem,
        index="gsi1",
        index_key=CredentialItem.gsi1pk_for(ctx.tenant_id, agent_id),
        newest_first=True,
        limit=query.limit,
        cursor=query.cursor,
    )
    now = _now()
    return CredentialPage(items=[_view(item, now) for item in page.items], next_cursor=page.next_cursor)


def revoke_credential(ctx: TenantContext, agent_id: str, credential_id: str) -> None:
    """Revoke at once (both secrets stop working); revoking a revoked credential is a no-op."""
    _require_agent(ctx, agent_id)
    data = tenant_data(ctx)
    found = list(
        data.query(
            CredentialItem,
            index="gsi1",
            index_key=CredentialItem.gsi1pk_for(ctx.tenant_id, agent_id),
            sk_between=(credential_id, credential_id),
            limit=1,
        )
    )
    if not found:
        raise NotFound(f"Credential {credential_id} not found.", code="credential_not_found")
    item = found[0]
    if item.status == REVOKED:
        return

    def write() -> None:
        revoked = [
            CredentialItem.status.set(REVOKED),
            CredentialItem.revoked_at.set(_now()),
            CredentialItem.previous_secret_hash.remove(),
            CredentialItem.previous_secret_valid_until.remove(),
        ]
        data.update(item, revoked)
        pointer = data.ref(ActiveCredentialItem, ActiveCredentialItem.sk_for(agent_id))
        try:
            data.delete(pointer, ActiveCredentialItem.client_id == item.client_id)
        except ConditionFailed:
            pass  # the pointer already names another credential: leave it

    _record(data, write, "credential.revoked", item)


def authenticate_client(presented: PresentedClient) -> CredentialItem:
    """The credential whose secret (or previous secret, within its grace period) was presented.

    Every failure is the same ``invalid_client``: unknown, wrong secret, revoked, expired.
    """
    item = find_global(
        CredentialItem, CredentialItem.pk_for(presented.client_id), CredentialItem.SK, consistent=True
    )
    return check_client_secret(item, presented)


def check_client_secret(item: CredentialItem | None, presented: PresentedClient) -> CredentialItem:
    """``item`` when the presented secret is its (current, or previous within grace) and it is active."""
    if item is None:
        secret_matches(presented.client_secret, None)  # the same work as a hit
        raise InvalidClient()
    now = _now()
    current = secret_matches(presented.client_secret, item.secret_hash)
    previous = secret_matches(presented.client_secret, item.previous_secret_hash)
    in_grace = item.previous_secret_valid_until is not None and now < item.previous_secret_valid_until
    if not (current or (previous and in_grace)) or _state(item, now) != ACTIVE:
        raise InvalidClient()
    return item


def authenticate_client_with_state(
    presented: PresentedClient,
) -> tuple[CredentialItem, PrincipalState | None]:
    """``authenticate_client``, reading the credential, its agent and tenant in one BatchGetItem when
    the client id names them; the state is None when it does not (the caller reads it then)."""
    owner = client_id_owner(presented.client_id)
    if owner is None:
        return authenticate_client(presented), None
    tenant_id, agent_id = owner
    state = load_state(tenant_id, [agent_id], client_id=presented.client_id)
    item = check_client_secret(state.credential, presented)
    if item.tenant_id != tenant_id or item.agent_id != agent_id:
        return item, None  # the id named someone else: read the owner the credential names
    return item, state

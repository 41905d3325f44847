"""The people of a tenant: invite, change role or team, remove; and who a Cognito user is to us.

Rules beyond the routes table's minimum role: only an owner makes, changes or removes an owner,
and the last owner can be neither demoted nor removed. The tenant item's ``owner_count`` moves in
the same transaction as the membership, on the condition that it stays at least one, so two owners
demoting each other at the same moment cannot leave the tenant without one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException
from pynamodb.expressions.update import Action

from agentgate.data.lookups import find_global
from agentgate.data.principals import TenantFacts, facts_condition, hold_facts, read_facts
from agentgate.data.tenant import TenantData, system_data, tenant_data
from agentgate.data.transactions import ConditionFailed, Transaction
from agentgate.models import MembershipItem, TenantItem, UserItem
from agentgate.platform.errors import Conflict, DomainError, Forbidden
from agentgate.platform.observability import logger
from agentgate.platform.tenancy import Caller, Principal, Role, TenantContext
from agentgate.schemas.common import PageQuery
from agentgate.schemas.members import Member, MemberInvite, MemberPage, MemberUpdate
from agentgate.services.tenants import cognito, error_code, refused_field, user_attribute, user_pool


@dataclass(frozen=True)
class ResolvedUser:
    ctx: TenantContext
    facts: TenantFacts  # the tenant's tier, usage-plan key and status, from the user's lookup


def resolve_user(sub: str, email: str | None = None) -> ResolvedUser | None:
    """Who a Cognito user is to us, from their lookup item alone (one GetItem; the tenant is read too
    only for a lookup written before it carried the tenant's facts); None when they belong nowhere."""
    user = find_global(UserItem, UserItem.pk_for(sub), UserItem.SK)
    if user is None:
        return None
    if user.tier is not None and user.tenant_status is not None:
        facts = TenantFacts(tier=user.tier, usage_key=user.usage_key, status=user.tenant_status)
    else:
        tenant = system_data(user.tenant_id).find(TenantItem, TenantItem.SK)
        if tenant is None:
            return None
        facts = TenantFacts.of(tenant)
    principal = Principal(
        kind=Caller.USER, id=sub, role=Role(user.role), team=user.team, email=user.email or email
    )
    return ResolvedUser(TenantContext(tenant_id=user.tenant_id, principal=principal, tier=facts.tier), facts)


def context_for_user(sub: str, email: str | None = None) -> TenantContext | None:
    """The tenant context of a Cognito user (the authorizer's lookup); None when they belong nowhere."""
    resolved = resolve_user(sub, email)
    return None if resolved is None else resolved.ctx


def _member(item: MembershipItem) -> Member:
    return Member(
        id=item.user_id, email=item.email, role=Role(item.role), team=item.team, created_at=item.created_at
    )


def _get(ctx: TenantContext, user_id: str) -> MembershipItem:
    return tenant_data(ctx).get(
        MembershipItem, MembershipItem.sk_for(user_id), missing="No such member.", consistent=True
    )


def _actor_is_owner(ctx: TenantContext) -> bool:
    return ctx.principal.kind is Caller.USER and ctx.principal.role is Role.OWNER


def _require_owner_for_owners(ctx: TenantContext, *roles: str | None) -> None:
    if Role.OWNER.value in roles and not _actor_is_owner(ctx):
        raise Forbidden("Only an owner can make, change or remove an owner.", code="insufficient_role")


def list_members(ctx: TenantContext, query: PageQuery) -> MemberPage:
    page = tenant_data(ctx).page(
        MembershipItem, sk_prefix=MembershipItem.SK_PREFIX, limit=query.limit, cursor=query.cursor
    )
    return MemberPage(items=[_member(item) for item in page.items], next_cursor=page.next_cursor)


def invite(ctx: TenantContext, request: MemberInvite) -> Member:
    """Create the person's Cognito user (Cognito emails a temporary password) and their membership."""
    _require_owner_for_owners(ctx, request.role.value)
    facts = read_facts(tenant_data(ctx))  # copied onto the person's lookup (agentgate.data.principals)
    pool_id, _ = user_pool()
    try:
        user = cognito().admin_create_user(
            UserPoolId=pool_id,
            Username=request.email,
            UserAttributes=[
                {"Name": "email", "Value": request.email},
                {"Name": "email_verified", "Value": "true"},
            ],
            DesiredDeliveryMediums=["EMAIL"],
        )["User"]
    except ClientError as exc:
        if error_code(exc) == "UsernameExistsException":
            raise Conflict("A person with this email already has an account.", code="member_exists") from None
        if (refused := refused_field(exc, "email", "email address")) is not None:
            raise refused from None
        raise
    user_id = user_attribute(user["Attributes"], "sub")
    now = datetime.now(UTC)
    data = tenant_data(ctx)
    item = data.new(
        MembershipItem,
        MembershipItem.sk_for(user_id),
        user_id=user_id,
        email=request.email,
        role=request.role.value,
        team=request.team,
        status="invited",
        created_at=now,
    )
    user_lookup = UserItem(
        UserItem.pk_for(user_id),
        UserItem.SK,
        user_id=user_id,
        tenant_id=ctx.tenant_id,
        email=request.email,
        role=request.role.value,
        team=request.team,
        **facts.attributes(),
    )

    def steps(tx: Transaction) -> None:
        tx.put(item, MembershipItem.pk.does_not_exist())
        tx.put(user_lookup, UserItem.pk.does_not_exist())
        if request.role is Role.OWNER:  # one step per item: the count's update holds the facts too
            tx.update(
                data.ref(TenantItem, TenantItem.SK),
                [TenantItem.owner_count.add(1)],
                facts_condition(facts),
                name="tenant_facts",
            )
        else:
            hold_facts(tx, data, facts)

    def write() -> None:
        try:
            data.transact(steps)
        except (PynamoDBException, BotoCoreError, DomainError):
            try:
                cognito().admin_delete_user(UserPoolId=pool_id, Username=request.email)
            except ClientError as exc:
                logger.error("invite clean-up failed", extra={"error": error_code(exc)})
            raise

    data.record(
        write,
        action="member.invited",
        target=f"user:{user_id}",
        details={"email": request.email, "role": request.role.value, "team": request.team},
    )
    return _member(item)


def _owner_change(current: str, new: str) -> int:
    return (new == Role.OWNER.value) - (current == Role.OWNER.value)


def _owner_count_action(tx: Transaction, data: TenantData, change: int) -> None:
    """Move ``owner_count`` by ``change`` in ``tx``; a decrease needs another owner to remain."""
    if change == 0:
        return
    condition = TenantItem.pk.exists()
    if change < 0:
        condition = condition & (TenantItem.owner_count > 1)
    tx.update(
        data.ref(TenantItem, TenantItem.SK), [TenantItem.owner_count.add(change)], condition, name="owners"
    )


def _member_change(data: TenantData, steps: Callable[[Transaction], None]) -> Callable[[], None]:
    """The write of a member change: the transaction, its failed conditions named for the caller."""

    def write() -> None:
        try:
            data.transact(steps)
        except ConditionFailed as failed:
            if "member" in failed.failed:
                raise Conflict("The member changed meanwhile; read it again.", code="conflict") from None
            if "owners" in failed.failed:
                raise Conflict(
                    "The last owner can be neither demoted nor removed.", code="last_owner"
                ) from None
            raise

    return write


def update(ctx: TenantContext, user_id: str, request: MemberUpdate) -> Member:
    item = _get(ctx, user_id)
    new_role = request.role.value if request.role else item.role
    _require_owner_for_owners(ctx, item.role, new_role)
    team = request.team if "team" in request.model_fields_set else item.team
    actions_member: list[Action] = [
        MembershipItem.role.set(new_role),
        MembershipItem.updated_at.set(datetime.now(UTC)),
    ]
    actions_user: list[Action] = [UserItem.role.set(new_role)]
    if team is None:
        actions_member.append(MembershipItem.team.remove())
        actions_user.append(UserItem.team.remove())
    else:
        actions_member.append(MembershipItem.team.set(team))
        actions_user.append(UserItem.team.set(team))
    data = tenant_data(ctx)

    def steps(tx: Transaction) -> None:
        tx.update(item, actions_member, MembershipItem.role == item.role, name="member")
        tx.update(UserItem(UserItem.pk_for(user_id), UserItem.SK), actions_user, UserItem.pk.exists())
        _owner_count_action(tx, data, _owner_change(item.role, new_role))

    data.record(
        _member_change(data, steps),
        action="member.updated",
        target=f"user:{user_id}",
        details={"role": {"from": item.role, "to": new_role}, "team": {"from": item.team, "to": team}},
    )
    item.role, item.team = new_role, team
    return _member(item)


def remove(ctx: TenantContext, user_id: str) -> None:
    """Remove the membership and the person's Cognito user (a person belongs to one tenant)."""
    item = _get(ctx, user_id)
    _require_owner_for_owners(ctx, item.role)
    data = tenant_data(ctx)

    def steps(tx: Transaction) -> None:
        tx.delete(item, MembershipItem.role == item.role, name="member")
        tx.delete(UserItem(UserItem.pk_for(user_id), UserItem.SK))
        _owner_count_action(tx, data, _owner_change(item.role, Role.VIEWER.value))

    def write() -> None:
        _member_change(data, steps)()
        try:
            cognito().admin_delete_user(UserPoolId=user_pool()[0], Username=item.email)
        except ClientError as exc:
            if error_code(exc) != "UserNotFoundException":
                raise

    data.record(
        write,
        action="member.removed",
        target=f"user:{user_id}",
        details={"email": item.email, "role": item.role},
    )

"""The people of a tenant: invite, change role or team, remove; and who a Cognito user is to us.

Rules beyond the routes table's minimum role: only an owner makes, changes or removes an owner,
and the last owner can be neither demoted nor removed. The tenant item's ``owner_count`` moves in
the same transaction as the membership, on the condition that it stays at least one, so two owners
demoting each other at the same moment cannot leave the tenant without one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.expressions.update import Action

from agentgate.data.cursors import decode_cursor, encode_cursor
from agentgate.data.transactions import cancellation_codes, transaction
from agentgate.models import MembershipItem, TenantItem, UserItem, tenant_pk
from agentgate.platform.errors import Conflict, Forbidden, NotFound
from agentgate.platform.observability import logger
from agentgate.platform.tenancy import Caller, Principal, Role, TenantContext
from agentgate.schemas.common import PageQuery
from agentgate.schemas.members import Member, MemberInvite, MemberPage, MemberUpdate
from agentgate.services import audit
from agentgate.services.tenants import cognito, error_code, refused_field, user_attribute, user_pool

_MEMBER_PREFIX = "MEMBER#"


def context_for_user(sub: str, email: str | None = None) -> TenantContext | None:
    """The tenant context of a Cognito user (the authorizer's lookup); None when they belong nowhere."""
    try:
        user = UserItem.get(UserItem.pk_for(sub), UserItem.SK)
    except UserItem.DoesNotExist:
        return None
    try:
        tenant = TenantItem.get(tenant_pk(user.tenant_id), TenantItem.SK)
    except TenantItem.DoesNotExist:
        return None
    principal = Principal(
        kind=Caller.USER, id=sub, role=Role(user.role), team=user.team, email=user.email or email
    )
    return TenantContext(tenant_id=user.tenant_id, principal=principal, tier=tenant.tier)


def _member(item: MembershipItem) -> Member:
    return Member(
        id=item.user_id, email=item.email, role=Role(item.role), team=item.team, created_at=item.created_at
    )


def _get(ctx: TenantContext, user_id: str) -> MembershipItem:
    try:
        return MembershipItem.get(ctx.pk, MembershipItem.sk_for(user_id), consistent_read=True)
    except MembershipItem.DoesNotExist:
        raise NotFound("No such member.") from None


def _actor_is_owner(ctx: TenantContext) -> bool:
    return ctx.principal.kind is Caller.USER and ctx.principal.role is Role.OWNER


def _require_owner_for_owners(ctx: TenantContext, *roles: str | None) -> None:
    if Role.OWNER.value in roles and not _actor_is_owner(ctx):
        raise Forbidden("Only an owner can make, change or remove an owner.", code="insufficient_role")


def list_members(ctx: TenantContext, query: PageQuery) -> MemberPage:
    results = MembershipItem.query(
        ctx.pk,
        MembershipItem.sk.startswith(_MEMBER_PREFIX),
        limit=query.limit,
        last_evaluated_key=decode_cursor(query.cursor, {"pk": ctx.pk}),
    )
    items = [_member(item) for item in results]
    return MemberPage(items=items, next_cursor=encode_cursor(results.last_evaluated_key))


def invite(ctx: TenantContext, request: MemberInvite) -> Member:
    """Create the person's Cognito user (Cognito emails a temporary password) and their membership."""
    _require_owner_for_owners(ctx, request.role.value)
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
    item = MembershipItem(
        ctx.pk,
        MembershipItem.sk_for(user_id),
        tenant_id=ctx.tenant_id,
        user_id=user_id,
        email=request.email,
        role=request.role.value,
        team=request.team,
        status="invited",
        created_at=now,
    )
    try:
        with transaction() as tx:
            tx.save(item, condition=MembershipItem.pk.does_not_exist())
            tx.save(
                UserItem(
                    UserItem.pk_for(user_id),
                    UserItem.SK,
                    user_id=user_id,
                    tenant_id=ctx.tenant_id,
                    email=request.email,
                    role=request.role.value,
                    team=request.team,
                ),
                condition=UserItem.pk.does_not_exist(),
            )
            if request.role is Role.OWNER:
                tx.update(
                    TenantItem(ctx.pk, TenantItem.SK),
                    actions=[TenantItem.owner_count.add(1)],
                    condition=TenantItem.pk.exists(),
                )
    except (PynamoDBException, BotoCoreError):
        try:
            cognito().admin_delete_user(UserPoolId=pool_id, Username=request.email)
        except ClientError as exc:
            logger.error("invite clean-up failed", extra={"error": error_code(exc)})
        raise
    audit.append(
        ctx.tenant_id,
        actor=audit.actor_of(ctx),
        action="member.invited",
        target=f"user:{user_id}",
        details={"email": request.email, "role": request.role.value, "team": request.team},
    )
    return _member(item)


def _owner_change(current: str, new: str) -> int:
    return (new == Role.OWNER.value) - (current == Role.OWNER.value)


def _owner_count_action(tx: object, ctx: TenantContext, change: int) -> None:
    """Move ``owner_count`` by ``change`` in ``tx``; a decrease needs another owner to remain."""
    if change == 0:
        return
    condition = TenantItem.pk.exists()
    if change < 0:
        condition = condition & (TenantItem.owner_count > 1)
    tx.update(  # type: ignore[attr-defined]
        TenantItem(ctx.pk, TenantItem.SK), actions=[TenantItem.owner_count.add(change)], condition=condition
    )


def _raise_for(exc: TransactWriteError) -> None:
    codes = cancellation_codes(exc)
    if codes[:1] == ["ConditionalCheckFailed"]:
        raise Conflict("The member changed meanwhile; read it again.", code="conflict") from None
    if "ConditionalCheckFailed" in codes[2:]:
        raise Conflict("The last owner can be neither demoted nor removed.", code="last_owner") from None
    raise exc


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
    try:
        with transaction() as tx:
            tx.update(item, actions=actions_member, condition=MembershipItem.role == item.role)
            tx.update(
                UserItem(UserItem.pk_for(user_id), UserItem.SK),
                actions=actions_user,
                condition=UserItem.pk.exists(),
            )
            _owner_count_action(tx, ctx, _owner_change(item.role, new_role))
    except TransactWriteError as exc:
        _raise_for(exc)
    audit.append(
        ctx.tenant_id,
        actor=audit.actor_of(ctx),
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
    try:
        with transaction() as tx:
            tx.delete(item, condition=MembershipItem.role == item.role)
            tx.delete(UserItem(UserItem.pk_for(user_id), UserItem.SK))
            _owner_count_action(tx, ctx, _owner_change(item.role, Role.VIEWER.value))
    except TransactWriteError as exc:
        _raise_for(exc)
    try:
        cognito().admin_delete_user(UserPoolId=user_pool()[0], Username=item.email)
    except ClientError as exc:
        if error_code(exc) != "UserNotFoundException":
            raise
    audit.append(
        ctx.tenant_id,
        actor=audit.actor_of(ctx),
        action="member.removed",
        target=f"user:{user_id}",
        details={"email": item.email, "role": item.role},
    )

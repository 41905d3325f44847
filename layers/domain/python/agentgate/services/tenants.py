"""Tenants: sign-up (tenant, usage-plan key, owner), sign-in through Cognito, the organisation profile.

Sign-up touches three services (Cognito, API Gateway, DynamoDB) that cannot share a transaction,
so it runs in the order that is easiest to undo and undoes what it did when a later step fails.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException

from agentgate.data.ids import new_id
from agentgate.data.lookups import find_global
from agentgate.data.tenant import TenantData, system_data, tenant_data
from agentgate.data.transactions import ConditionFailed, Transaction
from agentgate.models import MembershipItem, TenantItem, UserItem
from agentgate.platform.aws import client
from agentgate.platform.errors import (
    BadRequest,
    Conflict,
    DependencyUnavailable,
    Forbidden,
    Unauthorized,
    field_error,
)
from agentgate.platform.observability import logger
from agentgate.platform.settings import get_settings
from agentgate.platform.tenancy import Caller, Role, TenantContext
from agentgate.schemas.tenants import (
    LoginRequest,
    LoginResult,
    OrgProfile,
    OrgProfileUpdate,
    RefreshRequest,
    SignupRequest,
    SignupResult,
    Tokens,
)
from agentgate.tiers import DEFAULT_TIER

TENANT_ID_PREFIX = "ten"
_BAD_CREDENTIALS = frozenset({"NotAuthorizedException", "UserNotFoundException"})


def _now() -> datetime:
    return datetime.now(UTC)


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


# Cognito's answers to a value it will not take: the caller's input, so a 400 naming the field.
REFUSED_VALUE_CODES = frozenset({"InvalidParameterException", "InvalidPasswordException"})


def refused_field(exc: ClientError, field: str, what: str) -> BadRequest | None:
    """A 400 naming ``field`` when Cognito refused the value the caller sent for it, else None."""
    code = error_code(exc)
    if code not in REFUSED_VALUE_CODES:
        return None
    if code == "InvalidPasswordException":
        return field_error(field, "does not meet the password policy", "password_policy")
    return field_error(
        field, f"the identity provider does not accept this {what}", "refused_by_identity_provider"
    )


def cognito() -> Any:
    return client("cognito-idp")


def user_pool() -> tuple[str, str]:
    settings = get_settings()
    if not settings.user_pool_id or not settings.user_pool_client_id:
        raise DependencyUnavailable("The user directory is not configured.")
    return settings.user_pool_id, settings.user_pool_client_id


def user_attribute(attributes: list[dict[str, str]], name: str) -> str:
    return next(a["Value"] for a in attributes if a["Name"] == name)


def _tokens(result: dict[str, Any]) -> Tokens:
    return Tokens(
        id_token=result["IdToken"],
        access_token=result["AccessToken"],
        refresh_token=result.get("RefreshToken"),
        expires_in=int(result["ExpiresIn"]),
    )


# --- sign-up ------------------------------------------------------------------------------------


def _create_owner(email: str, password: str) -> str:
    """The owner's Cognito user with a permanent password; returns its ``sub``."""
    pool_id, _ = user_pool()
    try:
        user = cognito().admin_create_user(
            UserPoolId=pool_id,
            Username=email,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
            MessageAction="SUPPRESS",
        )["User"]
    except ClientError as exc:
        if error_code(exc) == "UsernameExistsException":
            raise Conflict("An account with this email exists.", code="email_taken") from None
        if (refused := refused_field(exc, "email", "email address")) is not None:
            raise refused from None
        raise
    try:
        cognito().admin_set_user_password(
            UserPoolId=pool_id, Username=email, Password=password, Permanent=True
        )
    except ClientError as exc:
        cognito().admin_delete_user(UserPoolId=pool_id, Username=email)
        if (refused := refused_field(exc, "password", "password")) is not None:
            raise refused from None
        raise
    return user_attribute(user["Attributes"], "sub")


def _create_usage_key(tenant_id: str) -> tuple[str, str]:
    """The tenant's own API Gateway key on the free usage plan: (id, value)."""
    plan_id = get_settings().usage_plan_ids.get(DEFAULT_TIER)
    if not plan_id:
        raise DependencyUnavailable("The usage plans are not configured.")
    apigateway = client("apigateway")
    key = apigateway.create_api_key(name=f"tenant-{tenant_id}", enabled=True)
    try:
        apigateway.create_usage_plan_key(usagePlanId=plan_id, keyId=key["id"], keyType="API_KEY")
    except ClientError:
        apigateway.delete_api_key(apiKey=key["id"])
        raise
    return key["id"], key["value"]


def _undo_signup(email: str, usage_key_id: str | None) -> None:
    """Best effort: a failed sign-up leaves no user behind (and no key), so the email can sign up again."""
    try:
        cognito().admin_delete_user(UserPoolId=user_pool()[0], Username=email)
        if usage_key_id:
            client("apigateway").delete_api_key(apiKey=usage_key_id)
    except (ClientError, BotoCoreError) as exc:
        logger.error("sign-up clean-up failed", extra={"error": type(exc).__name__})


def signup(request: SignupRequest) -> SignupResult:
    tenant_id = new_id(TENANT_ID_PREFIX)
    user_id = _create_owner(request.email, request.password)
    usage_key_id: str | None = None
    try:
        usage_key_id, usage_key = _create_usage_key(tenant_id)
        now = _now()
        data = system_data(tenant_id, f"user:{user_id}")
        steps = partial(_signup_steps, data, request, user_id, usage_key, usage_key_id, now)
        data.transact(steps)
    except (ClientError, BotoCoreError, PynamoDBException, DependencyUnavailable, ConditionFailed):
        _undo_signup(request.email, usage_key_id)
        raise
    data.record(
        None,  # written above: the organisation and its first owner, in one transaction
        action="tenant.created",
        target=f"tenant:{tenant_id}",
        details={"name": request.org_name, "tier": DEFAULT_TIER},
    )
    data.record(
        None,
        action="member.added",
        target=f"user:{user_id}",
        details={"email": request.email, "role": Role.OWNER.value},
    )
    tokens = login(LoginRequest(email=request.email, password=request.password)).tokens
    return SignupResult(tenant_id=tenant_id, user_id=user_id, tokens=tokens)


def _signup_steps(
    data: TenantData,
    request: SignupRequest,
    user_id: str,
    usage_key: str,
    usage_key_id: str,
    now: datetime,
    tx: Transaction,
) -> None:
    tx.put(
        data.new(
            TenantItem,
            TenantItem.SK,
            name=request.org_name,
            tier=DEFAULT_TIER,
            status="active",
            created_at=now,
            usage_key=usage_key,
            usage_key_id=usage_key_id,
            agent_count=0,
            owner_count=1,
        ),
        TenantItem.pk.does_not_exist(),
    )
    tx.put(
        data.new(
            MembershipItem,
            MembershipItem.sk_for(user_id),
            user_id=user_id,
            email=request.email,
            role=Role.OWNER.value,
            created_at=now,
        ),
        MembershipItem.pk.does_not_exist(),
    )
    tx.put(
        UserItem(
            UserItem.pk_for(user_id),
            UserItem.SK,
            user_id=user_id,
            tenant_id=data.tenant_id,
            email=request.email,
            role=Role.OWNER.value,
            tier=DEFAULT_TIER,  # the new tenant's facts (agentgate.data.principals)
            usage_key=usage_key,
            tenant_status="active",
        ),
        UserItem.pk.does_not_exist(),
    )


# --- sign-in ------------------------------------------------------------------------------------


def login(request: LoginRequest) -> LoginResult:
    _, client_id = user_pool()
    try:
        answer = cognito().initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": request.email, "PASSWORD": request.password},
        )
        if answer.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
            if request.new_password is None:
                raise Forbidden(
                    "Choose a new password: send new_password with the temporary one.",
                    code="new_password_required",
                )
            answer = cognito().respond_to_auth_challenge(
                ClientId=client_id,
                ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=answer["Session"],
                ChallengeResponses={"USERNAME": request.email, "NEW_PASSWORD": request.new_password},
            )
    except ClientError as exc:
        code = error_code(exc)
        if code in _BAD_CREDENTIALS:
            raise Unauthorized("Wrong email or password.", code="invalid_credentials") from None
        if code == "InvalidPasswordException":
            raise field_error(
                "new_password", "does not meet the password policy", "password_policy"
            ) from None
        if (refused := refused_field(exc, "email", "email address or password")) is not None:
            raise refused from None
        raise
    if "AuthenticationResult" not in answer:
        raise Forbidden(f"Sign-in needs {answer.get('ChallengeName')}.", code="challenge_required")
    return LoginResult(tokens=_tokens(answer["AuthenticationResult"]))


def refresh(request: RefreshRequest) -> LoginResult:
    _, client_id = user_pool()
    try:
        answer = cognito().initiate_auth(
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": request.refresh_token},
        )
    except ClientError as exc:
        if error_code(exc) in _BAD_CREDENTIALS | {"InvalidParameterException"}:
            raise Unauthorized("The refresh token is invalid or revoked.", code="invalid_token") from None
        raise
    return LoginResult(tokens=_tokens(answer["AuthenticationResult"]))


def logout(ctx: TenantContext) -> None:
    """Sign the person out everywhere: Cognito revokes every refresh token they hold."""
    if ctx.principal.kind is not Caller.USER:
        raise BadRequest("Only a person signs out; API keys are revoked instead.", code="not_a_user")
    user = find_global(UserItem, UserItem.pk_for(ctx.principal.id), UserItem.SK)
    if user is None or user.tenant_id != ctx.tenant_id:
        raise Unauthorized("Credentials are missing or invalid.")

    def sign_out() -> None:
        try:
            cognito().admin_user_global_sign_out(UserPoolId=user_pool()[0], Username=user.email)
        except ClientError as exc:
            if error_code(exc) != "UserNotFoundException":
                raise

    tenant_data(ctx).record(sign_out, action="user.signed_out", target=f"user:{ctx.principal.id}")


# --- the organisation profile -------------------------------------------------------------------


def _tenant(ctx: TenantContext) -> TenantItem:
    return tenant_data(ctx).get(TenantItem, TenantItem.SK, missing="No such organisation.")


def _profile(item: TenantItem) -> OrgProfile:
    return OrgProfile(
        tenant_id=item.tenant_id,
        name=item.name,
        tier=item.tier,
        status=item.status,
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def get_profile(ctx: TenantContext) -> OrgProfile:
    return _profile(_tenant(ctx))


def update_profile(ctx: TenantContext, update: OrgProfileUpdate) -> OrgProfile:
    item = _tenant(ctx)
    previous = item.name
    data = tenant_data(ctx)
    actions = [TenantItem.name.set(update.name), TenantItem.updated_at.set(_now())]
    data.record(
        lambda: data.update(item, actions, TenantItem.pk.exists()),
        action="org.updated",
        target=f"tenant:{ctx.tenant_id}",
        details={"name": {"from": previous, "to": update.name}},
    )
    return _profile(item)

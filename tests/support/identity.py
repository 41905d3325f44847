"""Tenants, people and credentials for identity tests, made through the real routes."""

from __future__ import annotations

import itertools
from typing import Any

import boto3

from agentgate.platform.settings import get_settings
from agentgate.platform.tenancy import Caller, Principal, Role, TenantContext
from tests.support.api import Reply, call

PASSWORD = "Correct-horse-battery-9"
_counter = itertools.count(1)


def signup(org_name: str = "Acme", email: str | None = None, password: str = PASSWORD) -> Reply:
    email = email or f"owner{next(_counter)}@acme.test"
    return call(
        "POST", "/api/v1/auth/signup", body={"org_name": org_name, "email": email, "password": password}
    )


def new_tenant(org_name: str = "Acme") -> tuple[str, TenantContext]:
    """A signed-up tenant and its owner's context, as the authorizer would build it."""
    from agentgate.services import members

    reply = signup(org_name)
    assert reply.status == 201, reply.text
    ctx = members.context_for_user(reply.json["user_id"], None)
    assert ctx is not None
    return reply.json["tenant_id"], ctx


def as_role(ctx: TenantContext, role: Role, user_id: str = "someone") -> TenantContext:
    """The same tenant seen by a person with ``role``."""
    principal = Principal(kind=Caller.USER, id=user_id, role=role, email=f"{user_id}@acme.test")
    return TenantContext(tenant_id=ctx.tenant_id, principal=principal, tier=ctx.tier)


def as_api_key(ctx: TenantContext, *scopes: str) -> TenantContext:
    principal = Principal(kind=Caller.APIKEY, id="key_test", scopes=frozenset(scopes))
    return TenantContext(tenant_id=ctx.tenant_id, principal=principal, tier=ctx.tier)


def table_items() -> list[dict[str, Any]]:
    """Every item of the table (small tables in tests): to show that nothing was written."""
    dynamodb = boto3.client("dynamodb", region_name=get_settings().region)
    items: list[dict[str, Any]] = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=get_settings().table_name):
        items.extend(page["Items"])
    return items


def cognito_emails() -> set[str]:
    """The emails of the pool's users (the pool signs in by email; usernames are generated)."""
    cognito = boto3.client("cognito-idp", region_name=get_settings().region)
    users = cognito.list_users(UserPoolId=get_settings().user_pool_id)["Users"]
    return {a["Value"] for u in users for a in u["Attributes"] if a["Name"] == "email"}


def item_keys() -> set[tuple[str, str]]:
    return {(i["pk"]["S"], i["sk"]["S"]) for i in table_items()}

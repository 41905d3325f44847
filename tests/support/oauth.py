"""Given-steps for the OAuth, credential and authorizer tests: tenants, agents, credentials, tokens."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus, urlencode

from agentgate.models import AgentItem, TenantItem, tenant_pk
from agentgate.platform.tenancy import Caller, Principal, Role, TenantContext
from tests.support.api import Reply, call

FORM = "application/x-www-form-urlencoded"


@dataclass
class Client:
    tenant_id: str
    agent_id: str
    client_id: str
    client_secret: str
    credential_id: str


def admin(tenant_id: str) -> TenantContext:
    return TenantContext(
        tenant_id=tenant_id, principal=Principal(kind=Caller.USER, id=f"owner-{tenant_id}", role=Role.OWNER)
    )


def make_tenant(*, status: str = "active", tier: str = "free") -> str:
    tenant_id = "t" + uuid.uuid4().hex[:10]
    TenantItem(
        tenant_pk(tenant_id),
        TenantItem.SK,
        tenant_id=tenant_id,
        name=f"org {tenant_id}",
        tier=tier,
        status=status,
        created_at=datetime.now(UTC),
        usage_key=f"usage-key-{tenant_id}",
    ).save()
    return tenant_id


def make_agent(
    tenant_id: str,
    *,
    scopes: set[str] | None = None,
    status: str = "active",
    team: str = "core",
    audiences: list[str] | None = None,
) -> str:
    agent_id = "ag_" + uuid.uuid4().hex[:10]
    AgentItem(
        tenant_pk(tenant_id),
        AgentItem.sk_for(agent_id),
        tenant_id=tenant_id,
        agent_id=agent_id,
        name=f"agent {agent_id}",
        team=team,
        status=status,
        scopes=scopes if scopes is not None else {"runs:write", "authorize"},
        audiences=audiences or [],
        created_at=datetime.now(UTC),
    ).save()
    return agent_id


def set_status(item_cls: type, tenant_id: str, sk: str, status: str) -> None:
    item = item_cls.get(tenant_pk(tenant_id), sk)
    item.update(actions=[item_cls.status.set(status)])


def create_credential(tenant_id: str, agent_id: str, body: dict[str, Any] | None = None) -> Reply:
    return call(
        "POST",
        "/api/v1/agents/{id}/credentials",
        path_params={"id": agent_id},
        body=body or {},
        ctx=admin(tenant_id),
    )


def make_client(tenant_id: str | None = None, **agent: Any) -> Client:
    tenant_id = tenant_id or make_tenant()
    agent_id = make_agent(tenant_id, **agent)
    reply = create_credential(tenant_id, agent_id)
    assert reply.status == 201, reply.text
    data = reply.json
    return Client(tenant_id, agent_id, data["client_id"], data["client_secret"], data["credential_id"])


def basic(client_id: str, secret: str) -> str:
    raw = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def post_form(resource: str, form: dict[str, str], headers: dict[str, str] | None = None) -> Reply:
    return call("POST", resource, raw_body=urlencode(form), headers={"Content-Type": FORM, **(headers or {})})


def request_token(client: Client, **form: str) -> Reply:
    return post_form(
        "/oauth2/token",
        {"grant_type": "client_credentials", **form},
        headers={"Authorization": basic(client.client_id, client.client_secret)},
    )


def token_for(client: Client, **form: str) -> str:
    reply = request_token(client, **form)
    assert reply.status == 200, reply.text
    return str(reply.json["access_token"])


def table_items() -> list[dict[str, Any]]:
    """Every item in the table (to prove a refused request wrote nothing)."""
    from agentgate.platform.aws import client
    from agentgate.platform.settings import get_settings

    pages = client("dynamodb").get_paginator("scan").paginate(TableName=get_settings().table_name)
    return [item for page in pages for item in page["Items"]]

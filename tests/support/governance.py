"""Tenants, agents and callers for the governance tests, written straight to the table."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3

from agentgate.consumers import QUEUE_CONSUMERS
from agentgate.models import AgentItem, AgentTagItem, TenantItem, tenant_pk
from agentgate.platform.tenancy import Caller, Principal, Role, TenantContext
from infra.local.handlers import FunctionRunner
from infra.local.queues import QueuePoller

CONSUMER = next(c for c in QUEUE_CONSUMERS if c.name == "webhooks")


def make_tenant(tenant_id: str, *, status: str = "active") -> TenantItem:
    tenant = TenantItem(
        tenant_pk(tenant_id), TenantItem.SK, tenant_id=tenant_id, name=f"org {tenant_id}", status=status,
        created_at=datetime.now(UTC),
    )  # fmt: skip
    tenant.save()
    return tenant


def make_agent(
    tenant_id: str,
    agent_id: str,
    *,
    team: str | None = None,
    tags: tuple[str, ...] = (),
    created_by: str | None = None,
    status: str = "active",
) -> AgentItem:
    agent = AgentItem(
        tenant_pk(tenant_id), AgentItem.sk_for(agent_id), tenant_id=tenant_id, agent_id=agent_id,
        name=f"agent {agent_id}", team=team, tags=list(tags), created_by=created_by, status=status,
        created_at=datetime.now(UTC),
    )  # fmt: skip
    agent.save()
    for tag in tags:
        AgentTagItem(
            tenant_pk(tenant_id),
            AgentTagItem.sk_for(tag, agent_id),
            tenant_id=tenant_id,
            agent_id=agent_id,
            tag=tag,
        ).save()
    return agent


def user(
    tenant_id: str, user_id: str = "usr_admin", *, role: str = "admin", email: str | None = None
) -> TenantContext:
    principal = Principal(
        kind=Caller.USER, id=user_id, role=Role(role), email=email or f"{user_id}@example.com"
    )
    return TenantContext(tenant_id=tenant_id, principal=principal)


def agent(tenant_id: str, agent_id: str, *scopes: str) -> TenantContext:
    principal = Principal(kind=Caller.AGENT, id=agent_id, agent_id=agent_id, scopes=frozenset(scopes))
    return TenantContext(tenant_id=tenant_id, principal=principal)


def apikey(tenant_id: str, key_id: str = "key_1", *scopes: str) -> TenantContext:
    principal = Principal(kind=Caller.APIKEY, id=key_id, scopes=frozenset(scopes))
    return TenantContext(tenant_id=tenant_id, principal=principal)


class Receiver:
    """A local HTTP endpoint that answers 500 to the first ``failures`` requests, then 200."""

    def __init__(self, failures=0):
        self.failures = failures
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                code = 500 if len(receiver.requests) <= receiver.failures else 200
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/agentgate?source=test"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def poller(env):
    sqs = boto3.client("sqs", region_name="us-east-1")
    return QueuePoller(
        CONSUMER, queue_url=env["WEBHOOK_QUEUE_URL"], sqs=sqs, runner=FunctionRunner(), region="us-east-1"
    )


def drain(env, rounds=20):
    worker = poller(env)
    for _ in range(rounds):
        if worker.poll_once().received == 0:
            return

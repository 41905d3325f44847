"""The kill switch reaches tokens in use at once: a pause flushes the gateway's authorizer cache.

The local gateway (with the real authorizer and its 60 s result cache) answers API Gateway's
``FlushStageAuthorizersCache`` on its socket, where the functions' API Gateway client points
(``AWS_ENDPOINT_URL_API_GATEWAY``), as in ``make dev``. Pauses go through the real handlers.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from agentgate.auth.state import STATE_CACHE_SECONDS, StateCache, state_cache_seconds
from agentgate.platform.aws import reset_clients
from agentgate.platform.settings import reset_settings
from agentgate.routes import ROUTES
from agentgate.services import agents
from infra.local.apigw import STAGE, LambdaContext
from infra.local.authorization import AuthorizerCache
from infra.local.control_plane import ControlPlane
from infra.local.gateway import Gateway, GatewayServer, HttpRequest
from infra.local.handlers import FunctionRunner, load_handler
from infra.local.limits import UsagePlanLimiter
from tests.support.api import call
from tests.support.oauth import admin, make_agent, make_client, make_tenant, token_for


@dataclass
class Served:
    gateway: Gateway
    cache: AuthorizerCache
    control_plane: ControlPlane

    def status(self, token: str) -> int:
        """An agent's call through the gateway (listing approvals): 200, or 403 when paused."""
        request = HttpRequest("GET", "/api/v1/approvals", [("Authorization", f"Bearer {token}")])
        return self.gateway.handle(request).status


@pytest.fixture
def served(aws, monkeypatch) -> Iterator[Served]:
    cache = AuthorizerCache(
        lambda: load_handler("authorizer"),
        60,
        context_factory=lambda: LambdaContext(function_name="authorizer"),
    )
    control_plane = ControlPlane(api_id=aws["REST_API_ID"], stage=STAGE, flush=cache.flush, upstream=None)
    gateway = Gateway(
        ROUTES,
        runner=FunctionRunner(),
        authorizer=cache,
        limiter=UsagePlanLimiter(),
        plans=None,
        api_id=aws["REST_API_ID"],
        control_plane=control_plane,
    )
    server = GatewayServer(("127.0.0.1", 0), gateway)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_API_GATEWAY", server.url)
    monkeypatch.setenv("AUTHORIZER_CACHE_TTL_SECONDS", "60")
    reset_settings()
    reset_clients()
    try:
        yield Served(gateway, cache, control_plane)
    finally:
        server.shutdown()
        server.server_close()


def _agent_with_token(tenant_id: str | None = None, **agent: object) -> tuple[str, str, str]:
    client = make_client(tenant_id, scopes={"approvals:read"}, **agent)
    return client.tenant_id, client.agent_id, token_for(client)


def test_pausing_an_agent_refuses_its_token_held_in_the_gateway_cache_at_the_next_request(served):
    tenant_id, agent_id, token = _agent_with_token()
    assert served.status(token) == 200  # the gateway now caches this token's Allow for 60 s
    invocations = served.cache.invocations

    reply = call(
        "POST", "/api/v1/agents/{id}/pause", path_params={"id": agent_id}, body={"reason": "test"},
        ctx=admin(tenant_id),
    )  # fmt: skip

    assert reply.status == 200, reply.text
    assert served.control_plane.flushes == 1
    assert served.status(token) == 403
    assert served.cache.invocations == invocations + 1  # the authorizer was asked again, and read fresh


@pytest.mark.parametrize("scope", [{"team": "night"}, {"tag": "beta"}, {}], ids=["team", "tag", "tenant"])
def test_the_kill_switch_refuses_tokens_held_in_the_gateway_cache_at_the_next_request(served, scope):
    tenant_id = make_tenant()
    _, agent_id, token = _agent_with_token(tenant_id, team="night")
    if "tag" in scope:
        from agentgate.models import AgentTagItem, tenant_pk

        AgentTagItem(
            tenant_pk(tenant_id),
            f"AGENTTAG#beta#{agent_id}",
            tenant_id=tenant_id,
            agent_id=agent_id,
            tag="beta",
        ).save()
    assert served.status(token) == 200

    reply = call(
        "POST", "/api/v1/emergency/pause-all", body={"reason": "test", **scope}, ctx=admin(tenant_id)
    )

    assert reply.status == 200, reply.text
    assert served.control_plane.flushes == 1
    assert served.status(token) == 403


def test_a_pause_that_changes_nothing_does_not_flush(served):
    tenant_id, agent_id, _ = _agent_with_token()
    agents.pause_agents(tenant_id, [agent_id], actor="budget:b1", reason="budget reached")
    assert served.control_plane.flushes == 1  # a budget's auto-pause goes through pause_agents too

    agents.pause_agents(tenant_id, [agent_id], actor="budget:b1", reason="budget reached")

    assert served.control_plane.flushes == 1


def test_resuming_flushes_the_cached_deny(served):
    tenant_id, agent_id, token = _agent_with_token()
    agents.pause_agents(tenant_id, [agent_id], actor="test", reason="test")
    assert served.status(token) == 403  # the gateway caches the Deny too

    reply = call("POST", "/api/v1/agents/{id}/resume", path_params={"id": agent_id}, ctx=admin(tenant_id))

    assert reply.status == 200, reply.text
    assert served.status(token) == 200


def test_a_flush_that_fails_leaves_the_pause_in_place(aws, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_API_GATEWAY", "http://127.0.0.1:9")  # nothing listens there
    reset_settings()
    reset_clients()
    tenant_id = make_tenant()
    agent_id = make_agent(tenant_id)

    reply = call(
        "POST", "/api/v1/agents/{id}/pause", path_params={"id": agent_id}, body={"reason": "test"},
        ctx=admin(tenant_id),
    )  # fmt: skip

    assert reply.status == 200 and reply.json["status"] == "paused"


def test_the_authorizer_reuses_a_status_only_when_the_gateway_does_not_cache(aws, monkeypatch):
    monkeypatch.setenv("AUTHORIZER_CACHE_TTL_SECONDS", "60")
    reset_settings()
    assert state_cache_seconds() == 0.0 == StateCache().max_age

    monkeypatch.setenv("AUTHORIZER_CACHE_TTL_SECONDS", "0")
    reset_settings()

    assert state_cache_seconds() == STATE_CACHE_SECONDS == StateCache().max_age <= 5.0


def test_revoking_an_api_key_refuses_it_in_the_gateway_cache_at_the_next_request(served):
    tenant_id = make_tenant()
    created = call(
        "POST", "/api/v1/api-keys", body={"name": "ci", "scopes": ["agents:read"]}, ctx=admin(tenant_id)
    )
    assert created.status == 201, created.text
    key = created.json["key"]
    listing = HttpRequest("GET", "/api/v1/agents", [("Authorization", f"Bearer {key}")])
    assert served.gateway.handle(listing).status == 200  # the gateway now caches the key's Allow

    reply = call(
        "DELETE", "/api/v1/api-keys/{id}", path_params={"id": created.json["id"]}, ctx=admin(tenant_id)
    )

    assert reply.status == 204, reply.text
    assert served.control_plane.flushes == 1
    assert served.gateway.handle(listing).status == 401

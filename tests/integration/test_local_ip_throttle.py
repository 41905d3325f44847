"""The local gateway's per-IP throttle on the public ecosystem routes (WAF's rate rule in AWS)."""

from __future__ import annotations

import pytest

from agentgate.routes import ROUTES
from infra.local.authorization import AuthorizerCache
from infra.local.gateway import Gateway, HttpRequest
from infra.local.handlers import FunctionRunner, load_handler
from infra.local.limits import PerIpThrottle, UsagePlanLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def gateway(aws, clock) -> Gateway:
    return Gateway(
        ROUTES,
        runner=FunctionRunner(),
        authorizer=AuthorizerCache(lambda: load_handler("tests.fixtures.authorizer"), 60),
        limiter=UsagePlanLimiter(clock=clock),
        plans=None,
        ip_throttle=PerIpThrottle(30, 60, clock=clock),  # 0.5 a second, bursts of 3
    )


def _get(gateway: Gateway, target: str, ip: str):
    return gateway.handle(HttpRequest("GET", target, [], source_ip=ip))


def test_a_crawler_is_throttled_per_ip_and_others_are_not(gateway, clock):
    statuses = [_get(gateway, "/api/v1/marketplace/agents", "203.0.113.7").status for _ in range(4)]
    refused = _get(gateway, "/api/v1/marketplace/agents", "203.0.113.7")

    assert statuses == [200, 200, 200, 429]
    assert refused.header("Retry-After") == "2" and refused.json()["error"]["code"] == "too_many_requests"
    assert _get(gateway, "/api/v1/marketplace/agents", "198.51.100.1").status == 200
    assert _get(gateway, "/health", "203.0.113.7").status == 200  # not an ip_throttled route
    clock.now += 2
    assert _get(gateway, "/api/v1/marketplace/agents", "203.0.113.7").status == 200


def test_card_and_did_routes_share_the_ips_budget(gateway):
    for _ in range(3):
        _get(gateway, "/api/v1/marketplace/agents", "203.0.113.9")

    assert _get(gateway, "/api/v1/agents/agt_x/card", "203.0.113.9").status == 429
    assert _get(gateway, "/agents/ten_x/agt_x/did.json", "203.0.113.9").status == 429


def test_only_public_ecosystem_routes_are_ip_throttled():
    throttled = {route.key for route in ROUTES if route.ip_throttled}

    assert throttled == {
        "GET /api/v1/agents/{id}/card",
        "GET /agents/{tenant_id}/{agent_id}/did.json",
        "GET /api/v1/marketplace/agents",
        "GET /api/v1/marketplace/agents/{tenant_id}/{agent_id}",
    }
    assert all(route.is_public for route in ROUTES if route.ip_throttled)

"""The local gateway in front of the functions: routing, the authorizer, usage plans, proxy results.

Driven without sockets through ``Gateway.handle`` with fixture routes, a fixture authorizer with
the real one's contract, moto's usage plans and a hand-set clock.
"""

import json
from functools import partial

import boto3
import pytest

from agentgate.platform.settings import get_settings
from agentgate.platform.tenancy import Caller
from agentgate.routes import ROUTES, Route
from agentgate.schedules import Schedule
from agentgate.tiers import TIERS
from infra.local.authorization import AuthorizerCache
from infra.local.gateway import Gateway, HttpRequest, LocalActions
from infra.local.handlers import FunctionRunner, load_handler
from infra.local.limits import UsagePlanDirectory, UsagePlanLimiter
from infra.local.timers import Scheduler
from tests.fixtures import authorizer as fixture_authorizer
from tests.fixtures import scheduled_job

ECHO = "tests.fixtures.echo_handler"
KEYS = frozenset({Caller.APIKEY})
FIXTURE_ROUTES = (
    Route("GET", "/fixture/items/{id}", ECHO, KEYS, "", "t", scopes=("a",)),
    Route("POST", "/fixture/items/{id}", ECHO, KEYS, "", "t", scopes=("a",)),
    Route("GET", "/fixture/other", ECHO, KEYS, "", "t", scopes=("a",)),
    Route("GET", "/fixture/binary", ECHO, KEYS, "", "t", scopes=("a",)),
    Route("GET", "/fixture/crash", ECHO, KEYS, "", "t", scopes=("a",)),
)


class Clock:
    now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def gateway(aws, tmp_path):
    fixture_authorizer.CALLS.clear()
    scheduled_job.EVENTS.clear()
    apigateway = boto3.client("apigateway")
    plan_ids = get_settings().usage_plan_ids
    for tenant, tier in (("acme", "free"), ("globex", "pro")):
        key = apigateway.create_api_key(name=tenant, value=f"usage-key-of-tenant-{tenant}", enabled=True)
        apigateway.create_usage_plan_key(usagePlanId=plan_ids[tier], keyId=key["id"], keyType="API_KEY")
    (tmp_path / "index.html").write_text("<h1>portal</h1>")
    (tmp_path / "app.js").write_text("console.log(1)")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "index-3f2a9c.js").write_text("console.log(2)")
    clock = Clock()
    scheduler = Scheduler(
        [Schedule("fixture-rollup", "tests.fixtures.scheduled_job", "rate(1 hour)", "")],
        runner=FunctionRunner(),
    )
    return Gateway(
        (*ROUTES, *FIXTURE_ROUTES),
        runner=FunctionRunner(),
        authorizer=AuthorizerCache(lambda: load_handler("tests.fixtures.authorizer"), 60, clock=clock),
        limiter=UsagePlanLimiter(clock=clock),
        plans=UsagePlanDirectory(apigateway, list(plan_ids.values()), clock=clock),
        api_id=aws["REST_API_ID"],
        portal_dir=tmp_path,
        actions=LocalActions({"fixture-rollup": partial(scheduler.fire, "fixture-rollup")}),
    )


def get(gateway, target, token="tenant-acme", method="GET", body=b""):
    headers = [("Authorization", f"Bearer {token}")] if token else []
    return gateway.handle(HttpRequest(method, target, headers, body))


def test_a_public_route_reaches_its_real_handler_without_the_authorizer(gateway):
    reply = get(gateway, "/health", token=None)
    assert reply.status == 200
    assert reply.json()["status"] == "ok"
    assert fixture_authorizer.CALLS == []


def test_the_handler_gets_path_query_body_and_the_authorizers_context(gateway):
    reply = get(gateway, "/fixture/items/i%201?tag=a&tag=b", method="POST", body=b'{"x": 1}')
    assert reply.status == 200
    echoed = reply.json()
    assert echoed["resource"] == "/fixture/items/{id}"
    assert echoed["pathParameters"] == {"id": "i 1"}
    assert echoed["multiQuery"] == {"tag": ["a", "b"]}
    assert json.loads(echoed["body"]) == {"x": 1}
    assert echoed["authorizer"]["tenant_id"] == "acme"
    assert echoed["authorizer"]["principalId"] == "apikey:acme"
    assert echoed["apiKey"] == "usage-key-of-tenant-acme"
    assert echoed["function"] == "echo_handler"


def test_multi_value_headers_and_base64_bodies_become_http(gateway):
    echo = get(gateway, "/fixture/items/1")
    assert [v for k, v in echo.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    binary = get(gateway, "/fixture/binary")
    assert binary.body == b"\x00\xffbinary"


def test_no_credentials_is_401_with_the_error_body_and_the_function_is_not_called(gateway):
    reply = get(gateway, "/fixture/items/1", token=None)
    assert reply.status == 401
    assert reply.json()["error"]["code"] == "unauthorized"
    assert fixture_authorizer.CALLS == []


def test_credentials_the_authorizer_refuses_are_401(gateway):
    reply = get(gateway, "/fixture/items/1", token="forged")
    assert (reply.status, reply.json()["error"]["code"]) == (401, "unauthorized")


def test_an_explicit_deny_is_403(gateway):
    reply = get(gateway, "/fixture/items/1", token="paused")
    assert (reply.status, reply.json()["error"]["code"]) == (403, "forbidden")


def test_a_cached_policy_that_does_not_cover_the_path_is_403(gateway):
    assert get(gateway, "/fixture/items/1", token="narrow").status == 200
    assert get(gateway, "/fixture/other", token="narrow").status == 403
    assert fixture_authorizer.CALLS == ["narrow"]


def test_the_authorizer_is_called_once_per_token_within_its_ttl(gateway):
    for _ in range(3):
        assert get(gateway, "/fixture/items/1").status == 200
    assert fixture_authorizer.CALLS == ["tenant-acme"]


def test_a_crashing_authorizer_is_a_500_with_the_error_body(gateway):
    reply = get(gateway, "/fixture/items/1", token="broken")
    assert (reply.status, reply.json()["error"]["code"]) == (500, "service_unavailable")


def test_the_free_tier_burst_is_served_then_429_with_retry_after(gateway):
    burst = TIERS["free"].burst
    statuses = [get(gateway, "/fixture/items/1").status for _ in range(burst)]
    assert statuses == [200] * burst
    refused = get(gateway, "/fixture/items/1")
    assert refused.status == 429
    assert refused.json()["error"]["code"] == "too_many_requests"
    assert refused.header("Retry-After") == "1"


def test_each_tenant_is_throttled_by_its_own_tiers_plan(gateway):
    for _ in range(TIERS["free"].burst):
        get(gateway, "/fixture/items/1")
    assert get(gateway, "/fixture/items/1").status == 429
    assert all(get(gateway, "/fixture/items/1", token="tenant-globex").status == 200 for _ in range(50))


def test_a_key_in_no_usage_plan_is_403(gateway):
    reply = get(gateway, "/fixture/items/1", token="tenant-initech")
    assert (reply.status, reply.json()["error"]["code"]) == (403, "forbidden")


def test_a_function_error_is_a_502_with_the_error_body(gateway):
    reply = get(gateway, "/fixture/crash")
    assert (reply.status, reply.json()["error"]["code"]) == (502, "service_unavailable")


def test_an_unknown_path_is_a_json_404(gateway):
    reply = get(gateway, "/api/v1/nothing-here")
    assert (reply.status, reply.json()["error"]["code"]) == (404, "not_found")


def test_a_wrong_method_is_a_json_405_naming_the_allowed_ones(gateway):
    reply = get(gateway, "/health", method="DELETE")
    assert (reply.status, reply.json()["error"]["code"]) == (405, "method_not_allowed")
    assert reply.header("Allow") == "GET"


def test_the_portal_is_served_at_the_root(gateway):
    index = get(gateway, "/", token=None)
    assert (index.status, index.body) == (200, b"<h1>portal</h1>")
    script = get(gateway, "/app.js", token=None)
    assert script.header("Content-Type") in {"text/javascript", "application/javascript"}


def test_hashed_assets_are_cached_for_a_year_and_index_html_never(gateway):
    asset = get(gateway, "/assets/index-3f2a9c.js", token=None)
    assert (asset.status, asset.header("Cache-Control")) == (200, "public, max-age=31536000, immutable")
    assert get(gateway, "/", token=None).header("Cache-Control") == "no-cache"


def test_the_portals_client_routes_are_answered_with_index_html(gateway):
    for path in ("/app", "/app/runs/run-1", "/docs/quickstart", "/signin?next=/app"):
        page = get(gateway, path, token=None)
        assert (page.status, page.body, page.header("Cache-Control")) == (200, b"<h1>portal</h1>", "no-cache")


def test_unknown_api_paths_and_missing_files_stay_404s(gateway):
    for path in ("/api/v1/nope", "/oauth2/nope", "/.well-known/nope", "/missing.js", "/assets/gone-1234.js"):
        reply = get(gateway, path, token=None)
        assert reply.status == 404, path
        assert reply.json()["error"]["code"] == "not_found"


def test_the_portal_does_not_serve_files_outside_its_folder(gateway):
    assert get(gateway, "/../../etc/passwd", token=None).status == 404
    assert get(gateway, "/%2e%2e/secret", token=None).status == 404


def test_a_schedule_can_be_fired_through_the_local_endpoint(gateway):
    reply = get(gateway, "/_local/schedules/fixture-rollup", token=None, method="POST")
    assert reply.status == 200
    assert reply.json()["result"]["function"] == "scheduled_job"
    assert len(scheduled_job.EVENTS) == 1


def test_firing_an_unknown_schedule_is_404(gateway):
    assert get(gateway, "/_local/schedules/nope", token=None, method="POST").status == 404
    assert scheduled_job.EVENTS == []

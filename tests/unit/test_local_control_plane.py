"""The local gateway as API Gateway's control plane: it answers the authorizer cache flush itself."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from infra.local.authorization import AuthorizerCache, AuthorizerResult
from infra.local.control_plane import ControlPlane, is_control_plane

SIGNED = "AWS4-HMAC-SHA256 Credential=local/20261201/us-east-1/apigateway/aws4_request, SignedHeaders=host"


def _cache_holding(*identities: str) -> AuthorizerCache:
    cache = AuthorizerCache(lambda: lambda event, context: {}, 60)
    for identity in identities:
        cache._store(identity, AuthorizerResult("p", {"Statement": []}))
    return cache


def test_only_a_request_signed_for_api_gateway_is_a_control_plane_call():
    assert is_control_plane([("Authorization", SIGNED)])
    assert not is_control_plane([("Authorization", SIGNED.replace("apigateway", "dynamodb"))])
    assert not is_control_plane([("Authorization", "Bearer agk_x")])
    assert not is_control_plane([])


def test_the_flush_of_this_api_and_stage_drops_every_cached_answer():
    cache = _cache_holding("Bearer a", "Bearer b")
    plane = ControlPlane(api_id="api1", stage="v1", flush=cache.flush, upstream=None)

    status, _, body, note = plane.handle("DELETE", "/restapis/api1/stages/v1/cache/authorizers", [], b"")

    assert (status, body) == (202, b"") and "2 answers" in note
    assert cache._cached("Bearer a") is None and cache._cached("Bearer b") is None
    assert plane.flushes == 1


def test_the_flush_of_another_api_or_stage_is_not_found_and_flushes_nothing():
    cache = _cache_holding("Bearer a")
    plane = ControlPlane(api_id="api1", stage="v1", flush=cache.flush, upstream=None)

    for path in ("/restapis/other/stages/v1/cache/authorizers", "/restapis/api1/stages/v2/cache/authorizers"):
        status, headers, _, _ = plane.handle("DELETE", path, [], b"")
        assert status == 404 and ("x-amzn-ErrorType", "NotFoundException") in headers
    assert cache._cached("Bearer a") is not None and plane.flushes == 0


def test_other_api_gateway_calls_are_forwarded_to_the_upstream_unchanged():
    seen: list[tuple[str, str, bytes]] = []

    class Upstream(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append((self.command, self.path, body))
            reply = json.dumps({"id": "key1"}).encode()
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        plane = ControlPlane(
            api_id="api1", stage="v1", flush=lambda: 0, upstream=f"http://127.0.0.1:{server.server_port}"
        )
        status, headers, body, _ = plane.handle(
            "POST", "/apikeys", [("Authorization", SIGNED), ("Content-Type", "application/json")], b'{"n":1}'
        )
    finally:
        server.shutdown()
        server.server_close()

    assert status == 201 and json.loads(body) == {"id": "key1"}
    assert ("Content-Type", "application/json") in headers
    assert seen == [("POST", "/apikeys", b'{"n":1}')]

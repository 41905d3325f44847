"""The local API gateway: API Gateway REST's request path, in front of the real functions.

For each request: match the routes table, run the REQUEST authorizer (with its result cache),
apply the usage plan of the key it returns (throttle and daily quota), build the REST proxy
event, invoke the route's handler in-process and turn its proxy result into HTTP. Errors the
gateway itself produces use API.md's error body with the codes of the CDK stack's gateway
responses (``infra/agentgate_cdk/api_stack.py``); one difference: a wrong method is a 405 here.
Besides the API it serves the built portal (``portal/dist``) at ``/``, as CloudFront does: hashed
assets cached for a year, ``index.html`` never cached, and any other path outside the API's answered
with ``index.html`` so the portal's client-side routes survive a reload. It also serves a few
local-only ``/_local/`` endpoints.
"""

from __future__ import annotations

import base64
import json
import logging
import mimetypes
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from agentgate.gateway_responses import gateway_response
from agentgate.routes import PUBLIC_REQUESTS_PER_IP, PUBLIC_WINDOW_SECONDS, Route
from infra.local.apigw import authorizer_request_event, rest_event
from infra.local.authorization import AuthorizerCache, AuthorizerResult
from infra.local.control_plane import ControlPlane, is_control_plane
from infra.local.handlers import FunctionRunner
from infra.local.limits import PerIpThrottle, UsagePlanDirectory, UsagePlanLimiter
from infra.local.routing import RouteTable

log = logging.getLogger("infra.local.gateway")

LOCAL_PREFIX = "/_local/"
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # API Gateway REST's request payload limit
IMMUTABLE = "public, max-age=31536000, immutable"  # Vite's assets/ names carry a content hash
NO_CACHE = "no-cache"


@dataclass(frozen=True)
class HttpRequest:
    method: str
    target: str  # path and query, as on the request line
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    source_ip: str = "127.0.0.1"

    @property
    def path(self) -> str:
        return urlsplit(self.target).path or "/"

    @property
    def query(self) -> str:
        return urlsplit(self.target).query


@dataclass
class HttpReply:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    note: str = ""  # for the request log line: who called, why refused

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        return values[-1] if values else None

    def json(self) -> Any:
        return json.loads(self.body)


def json_reply(
    status: int, payload: Any, headers: Iterable[tuple[str, str]] = (), note: str = ""
) -> HttpReply:
    return HttpReply(
        status,
        [("Content-Type", "application/json"), *headers],
        json.dumps(payload, default=str).encode(),
        note,
    )


def error_reply(
    status: int, code: str, message: str, headers: Iterable[tuple[str, str]] = (), note: str = ""
) -> HttpReply:
    body = {"error": {"code": code, "message": message, "details": []}}
    return json_reply(status, body, headers, f"{code} {note}".strip())


def gateway_reply(
    response_type: str, status: int | None = None, headers: Iterable[tuple[str, str]] = (), note: str = ""
) -> HttpReply:
    """The answer API Gateway gives for ``response_type`` (agentgate.gateway_responses, as CDK deploys it)."""
    row = gateway_response(response_type)
    answer = status or row.status
    if answer is None:
        raise ValueError(f"{response_type} needs the status API Gateway would choose")
    return error_reply(answer, row.code, row.message, headers, note)


class LocalActions:
    """The local-only endpoints: the scheduler's "fire now" (``infra.local fire``) and the outbox."""

    def __init__(
        self,
        schedules: dict[str, Callable[[], Any]],
        outbox: Callable[[], list[dict[str, Any]]] | None = None,
    ) -> None:
        self._schedules = schedules
        self._outbox = outbox

    def handle(self, method: str, path: str) -> HttpReply:
        parts = path[len(LOCAL_PREFIX) :].strip("/").split("/")
        if parts == ["outbox"] and self._outbox is not None:
            if method not in {"GET", "HEAD"}:
                return error_reply(
                    405, "method_not_allowed", "The outbox is read with GET.", [("Allow", "GET, HEAD")]
                )
            return json_reply(200, {"items": self._outbox()})
        if parts == ["schedules"] and method == "GET":
            return json_reply(200, {"items": sorted(self._schedules)})
        if len(parts) == 2 and parts[0] == "schedules":
            if method != "POST":
                return error_reply(
                    405, "method_not_allowed", "Use POST to fire a schedule.", [("Allow", "POST")]
                )
            fire = self._schedules.get(parts[1])
            if fire is None:
                return error_reply(404, "not_found", f"No schedule named {parts[1]!r}.")
            try:
                result = fire()
            except Exception as exc:  # noqa: BLE001 - report the function's error as Lambda would
                log.error("schedule %s failed:\n%s", parts[1], traceback.format_exc())
                return error_reply(502, "function_error", f"{type(exc).__name__}: {exc}")
            return json_reply(200, {"schedule": parts[1], "result": result})
        return error_reply(404, "not_found", "No such local endpoint.")


class Gateway:
    def __init__(
        self,
        routes: Iterable[Route],
        *,
        runner: FunctionRunner,
        authorizer: AuthorizerCache,
        limiter: UsagePlanLimiter,
        plans: UsagePlanDirectory | None,
        api_id: str = "local",
        portal_dir: Path | None = None,
        actions: LocalActions | None = None,
        ip_throttle: PerIpThrottle | None = None,
        control_plane: ControlPlane | None = None,
    ) -> None:
        routes = tuple(routes)
        self.table = RouteTable(routes)
        self.ip_throttle = ip_throttle or PerIpThrottle(PUBLIC_REQUESTS_PER_IP, PUBLIC_WINDOW_SECONDS)
        # The first path segments the API owns: an unknown path under them is a JSON 404, never the portal.
        self.api_roots = frozenset(route.path.strip("/").split("/")[0] for route in routes)
        self.runner = runner
        self.authorizer = authorizer
        self.limiter = limiter
        self.plans = plans
        self.api_id = api_id
        self.portal_dir = portal_dir
        self.actions = actions or LocalActions({})
        self.control_plane = control_plane

    def _control_plane(self, request: HttpRequest) -> HttpReply:
        assert self.control_plane is not None
        status, headers, body, note = self.control_plane.handle(
            request.method.upper(), request.target, request.headers, request.body
        )
        return HttpReply(status, headers, body, note)

    def handle(self, request: HttpRequest) -> HttpReply:
        method, path = request.method.upper(), request.path
        if self.control_plane is not None and is_control_plane(request.headers):
            return self._control_plane(request)
        if path.startswith(LOCAL_PREFIX):
            return self.actions.handle(method, path)
        match = self.table.match(method, path)
        if match is None:
            if method in {"GET", "HEAD"}:
                static = self._static(path)
                if static is not None:
                    return static
            return gateway_reply("MISSING_AUTHENTICATION_TOKEN", note=f"no route for {method} {path}")
        if match.route is None:
            allow = ", ".join(match.allowed_methods)
            return error_reply(
                405, "method_not_allowed", f"{method} is not allowed here.", [("Allow", allow)]
            )
        return self._invoke(match.route, match.path_parameters, request)

    def _headers(self, request: HttpRequest) -> tuple[dict[str, str], dict[str, list[str]]]:
        single: dict[str, str] = {}
        multi: dict[str, list[str]] = {}
        for name, value in request.headers:
            single[name] = value
            multi.setdefault(name, []).append(value)
        return single, multi

    def _invoke(self, route: Route, params: dict[str, str], request: HttpRequest) -> HttpReply:
        headers, multi = self._headers(request)
        authorized: AuthorizerResult | None = None
        note = "public"
        if route.ip_throttled:
            decision = self.ip_throttle.check(request.source_ip)
            if not decision.allowed:
                retry = [("Retry-After", str(decision.retry_after_seconds))]
                return error_reply(
                    429,
                    "too_many_requests",
                    "Too many requests from this address.",
                    retry,
                    note=request.source_ip,
                )
        if not route.is_public:
            event = authorizer_request_event(
                route.method, route.path, request.path, headers, request.query, params, api_id=self.api_id
            )
            verdict = self.authorizer.authorize(event)
            if verdict.status == 401:
                return gateway_reply("UNAUTHORIZED")
            if verdict.status == 403:
                return gateway_reply("ACCESS_DENIED")
            if verdict.status != 200 or verdict.result is None:
                return gateway_reply("DEFAULT_5XX", 500, note="authorizer failed")
            authorized = verdict.result
            note = str(authorized.context.get("tenant_id") or authorized.principal_id)
            refused = self._apply_usage_plan(authorized.usage_identifier_key)
            if refused is not None:
                return refused
        authorizer_ctx: dict[str, Any] | None = None
        if authorized is not None:
            authorizer_ctx = {**authorized.context, "principalId": authorized.principal_id}
        event = rest_event(
            route.method,
            route.path,
            request.path,
            body=request.body or None,
            headers=headers,
            multi_value_headers=multi,
            query=request.query,
            path_parameters=params,
            authorizer=authorizer_ctx,
            source_ip=request.source_ip,
            api_id=self.api_id,
            api_key=authorized.usage_identifier_key if authorized else None,
        )
        try:
            result = self.runner.invoke(route.handler, event)
        except Exception:  # noqa: BLE001 - a function error is API Gateway's 502, never a crash of ours
            log.error("%s failed:\n%s", route.handler, traceback.format_exc())
            return gateway_reply("DEFAULT_5XX", 502, note=f"{note} function error, see above")
        reply = proxy_result_to_http(result)
        reply.note = note
        return reply

    def _apply_usage_plan(self, key: str | None) -> HttpReply | None:
        if key is None or self.plans is None:
            return None
        plan = self.plans.plan_for(key)
        if plan is None:
            return gateway_reply("INVALID_API_KEY")
        decision = self.limiter.check(key, plan)
        if decision.allowed:
            return None
        retry = [("Retry-After", str(decision.retry_after_seconds))]
        if decision.reason == "quota_exceeded":
            return gateway_reply("QUOTA_EXCEEDED", headers=retry, note=plan.name)
        return gateway_reply("THROTTLED", headers=retry, note=plan.name)

    def _static(self, path: str) -> HttpReply | None:
        if self.portal_dir is None or not self.portal_dir.is_dir():
            return None
        root = self.portal_dir.resolve()
        candidate = (root / path.lstrip("/")).resolve()
        if not candidate.is_relative_to(root):
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        if candidate.is_file():
            return self._file(root, candidate)
        if self._is_client_route(path):
            index = root / "index.html"
            return self._file(root, index) if index.is_file() else None
        return None

    def _is_client_route(self, path: str) -> bool:
        """A portal page (``/app/runs/r1``): not a missing asset (``/x.js``), an API path nor a traversal."""
        segments = path.strip("/").split("/")
        if any(unquote(segment) in {".", ".."} for segment in segments):
            return False
        return segments[0] not in self.api_roots and "." not in segments[-1]

    @staticmethod
    def _file(root: Path, file: Path) -> HttpReply:
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        hashed = file.parent == root / "assets"
        headers = [("Content-Type", kind), ("Cache-Control", IMMUTABLE if hashed else NO_CACHE)]
        return HttpReply(200, headers, file.read_bytes(), "portal")


def proxy_result_to_http(result: Any) -> HttpReply:
    """A Lambda proxy integration's result as HTTP; a malformed one is API Gateway's 502."""
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        log.error("malformed proxy result: %r", result)
        return gateway_reply("DEFAULT_5XX", 502, note="malformed proxy result")
    headers: list[tuple[str, str]] = [(k, str(v)) for k, v in (result.get("headers") or {}).items()]
    seen = {k.lower() for k, _ in headers}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        if name.lower() in seen:
            headers = [(k, v) for k, v in headers if k.lower() != name.lower()]
        headers.extend((name, str(v)) for v in values)
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
    return HttpReply(result["statusCode"], headers, raw)


def _refusal(reply: Any) -> str:
    """For the log: an error answer's code and first detail (``invalid_value body: ValidationException``)."""
    if reply.status < 400 or not reply.body.startswith(b"{"):
        return ""
    try:
        error = json.loads(reply.body).get("error")
    except (ValueError, AttributeError):
        return ""
    if not isinstance(error, dict):
        return ""
    details = error.get("details") or [{}]
    first = details[0] if isinstance(details[0], dict) else {}
    issue = " ".join(str(first[k]) for k in ("field", "message") if first.get(k))
    return f" [{error.get('code')}{': ' + issue if issue else ''}]"


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: GatewayServer

    def _serve(self) -> None:
        started = time.perf_counter()
        length = int(self.headers.get("Content-Length") or 0)
        request = HttpRequest(
            self.command, self.path, list(self.headers.items()), source_ip=self.client_address[0]
        )
        if length > MAX_PAYLOAD_BYTES:
            self.close_connection = True  # the body is left unread
            reply = gateway_reply("REQUEST_TOO_LARGE")
        else:
            request = replace(request, body=self.rfile.read(length) if length else b"")
            try:
                reply = self.server.gateway.handle(request)
            except Exception:  # noqa: BLE001 - a bug in the gateway itself: answer, log, keep serving
                log.error("gateway error on %s %s:\n%s", self.command, self.path, traceback.format_exc())
                reply = gateway_reply("DEFAULT_5XX", 500, note="gateway error")
        self.send_response(reply.status)
        for name, value in reply.headers:
            if name.lower() not in {"content-length", "connection", "transfer-encoding"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)
        elapsed = (time.perf_counter() - started) * 1000
        log.info(
            "%s %s %d %.1fms %s%s",
            self.command,
            request.path,
            reply.status,
            elapsed,
            reply.note,
            _refusal(reply),
        )

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def __getattr__(self, name: str) -> Any:
        # Any other method (TRACE, CONNECT, PROPFIND...) reaches the gateway too, which answers the
        # API's JSON 405 with ``Allow`` (or 404) rather than http.server's HTML 501 page.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: ``_serve`` logs one line per request with what the gateway decided."""


class GatewayServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], gateway: Gateway) -> None:
        self.gateway = gateway
        super().__init__(address, _RequestHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

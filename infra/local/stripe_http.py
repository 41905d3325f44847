"""The Stripe emulator over HTTP: Stripe's API paths and error body, and the test-mode pages.

API requests are form-encoded as Stripe takes them (``a[b][0][c]=v``); a POST with an
``Idempotency-Key`` answers what its first use answered. The pages answer HTML, or JSON to a
caller that accepts it (tests and scripts).
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import secrets
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from infra.local.stripe_pages import checkout_page, done_page, portal_page

if TYPE_CHECKING:
    from infra.local.stripe_emulator import StripeEmulator

log = logging.getLogger("infra.local.stripe")


class StripeError(Exception):
    """Answered with Stripe's error body: ``{"error": {"type", "code", "message", "param"}}``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        kind: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.param, self.kind = status, message, code, param, kind

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.kind, "message": self.message}
        if self.code:
            error["code"] = self.code
        if self.param:
            error["param"] = self.param
        return {"error": error}


def missing(kind: str, object_id: str, param: str = "id") -> StripeError:
    return StripeError(404, f"No such {kind}: '{object_id}'", code="resource_missing", param=param)


def decode_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding (``a[b][0][c]=v``) back into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        if parts:
            node[parts[-1]] = value
    return _lists(root)


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {k: _lists(v) for k, v in node.items()}
    if converted and all(k.isdigit() for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


def public(obj: dict[str, Any]) -> dict[str, Any]:
    """The object as the API shows it (the emulator's own bookkeeping keys start with ``_``)."""
    return {k: v for k, v in obj.items() if not k.startswith("_")}


# --- routing -----------------------------------------------------------------------------------------

_API: list[tuple[str, re.Pattern[str], str]] = [
    ("POST", re.compile(r"^/v1/customers$"), "create_customer"),
    ("GET", re.compile(r"^/v1/customers/(?P<id>[^/]+)$"), "customer"),
    ("POST", re.compile(r"^/v1/checkout/sessions$"), "create_checkout_session"),
    ("GET", re.compile(r"^/v1/checkout/sessions/(?P<id>[^/]+)$"), "checkout_session"),
    ("POST", re.compile(r"^/v1/billing_portal/sessions$"), "create_portal_session"),
    ("GET", re.compile(r"^/v1/subscriptions$"), "list_subscriptions"),
    ("GET", re.compile(r"^/v1/subscriptions/(?P<id>[^/]+)$"), "subscription"),
    ("POST", re.compile(r"^/v1/billing/meter_events$"), "create_meter_event"),
]
_CHECKOUT_PAGE = re.compile(r"^/checkout/(?P<id>cs_test_[0-9a-f]+)$")
_PORTAL_PAGE = re.compile(r"^/portal/(?P<id>bps_[0-9a-f]+)$")


def handler_for(emulator: StripeEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "StripeEmulator/1"

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("%s " + format, self.address_string(), *args)

        def _reply(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Request-Id", "req_" + secrets.token_hex(8))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, body: dict[str, Any]) -> None:
            self._reply(status, json.dumps(body).encode(), "application/json")

        def _html(self, status: int, page: str) -> None:
            self._reply(status, page.encode(), "text/html; charset=utf-8")

        def _form(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            return decode_form(parse_qsl(raw, keep_blank_values=True))

        def _authorized(self) -> bool:
            if emulator.api_key is None:
                return True
            scheme, _, key = (self.headers.get("Authorization") or "").partition(" ")
            if scheme.lower() == "bearer" and hmac.compare_digest(key.strip(), emulator.api_key):
                return True
            error = StripeError(401, "Invalid API Key provided.", kind="invalid_request_error")
            self._json(401, error.body())
            return False

        def _api(self, method: str) -> bool:
            parts = urlsplit(self.path)
            for verb, pattern, name in _API:
                match = pattern.match(parts.path)
                if verb != method or not match:
                    continue
                if not self._authorized():
                    return True
                params = self._form() if method == "POST" else decode_form(parse_qsl(parts.query))
                idempotency = (parts.path, self.headers.get("Idempotency-Key") or "")
                try:
                    with emulator.lock:
                        if method == "POST" and idempotency[1] and idempotency in emulator.state.idempotent:
                            status, body = emulator.state.idempotent[idempotency]
                        else:
                            call = getattr(emulator, name)
                            body = public(call(match["id"]) if "id" in match.groupdict() else call(params))
                            status = 200
                            if method == "POST" and idempotency[1]:
                                emulator.state.idempotent[idempotency] = (status, body)
                except StripeError as exc:
                    status, body = exc.status, exc.body()
                self._json(status, body)
                return True
            return False

        def do_GET(self) -> None:
            if self._api("GET"):
                return
            path = urlsplit(self.path).path
            try:
                if match := _CHECKOUT_PAGE.match(path):
                    session = emulator.checkout_session(match["id"])
                    self._html(200, checkout_page(session, emulator.state.customers.get(session["customer"])))
                    return
                if match := _PORTAL_PAGE.match(path):
                    session = emulator.state.portal_sessions.get(match["id"])
                    if session is None:
                        raise missing("billing_portal.session", match["id"])
                    subs = [
                        s
                        for s in emulator.state.subscriptions.values()
                        if s["customer"] == session["customer"]
                    ]
                    self._html(200, portal_page(session, subs))
                    return
            except StripeError as exc:
                self._html(exc.status, done_page("Not found", exc.message, None))
                return
            self._json(404, StripeError(404, f"Unrecognized request URL (GET: {path}).").body())

        def do_POST(self) -> None:
            if self._api("POST"):
                return
            path = urlsplit(self.path).path
            wants_json = "application/json" in (self.headers.get("Accept") or "")
            try:
                if match := _CHECKOUT_PAGE.match(path):
                    self._form()
                    session = emulator.pay_checkout(match["id"])
                    if wants_json:
                        self._json(200, public(session))
                        return
                    success = str(session["success_url"]).replace("{CHECKOUT_SESSION_ID}", session["id"])
                    self._html(200, done_page("Payment succeeded", "The subscription is active.", success))
                    return
                if match := _PORTAL_PAGE.match(path):
                    form = self._form()
                    events = emulator.portal_action(
                        match["id"], str(form.get("subscription", "")), str(form.get("action", ""))
                    )
                    if wants_json:
                        self._json(200, {"object": "list", "data": [e["type"] for e in events]})
                        return
                    session = emulator.state.portal_sessions[match["id"]]
                    sent = ", ".join(e["type"] for e in events)
                    self._html(200, done_page("Done", f"Sent {sent}.", session.get("return_url")))
                    return
            except StripeError as exc:
                if wants_json:
                    self._json(exc.status, exc.body())
                else:
                    self._html(exc.status, done_page("Refused", exc.message, None))
                return
            self._json(404, StripeError(404, f"Unrecognized request URL (POST: {path}).").body())

    return Handler

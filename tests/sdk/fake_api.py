"""A loopback HTTP server that plays AgentGate's API for the SDK's tests.

It answers like the real API (token endpoint, ingestion with per-run 207 results, authorize,
approvals, error bodies) and lets a test inject faults: throttling (429 + Retry-After),
unavailability (503), a request that hangs past the client's timeout, a per-run transient
refusal. The SDK under test is real and talks real HTTP to it. Ingestion deduplicates by
``run_id`` as the server's consumer does, so a test can count what is stored.
"""

from __future__ import annotations

import base64
import itertools
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Reply = tuple[int, dict[str, str], Any]


@dataclass
class Faults:
    """Fault injection, applied to ingestion requests in order of arrival."""

    throttle_ratio: float = 0.0  # share of batch requests answered 429 (Retry-After: 0)
    unavailable_ratio: float = 0.0  # share answered 503
    hang_requests: set[int] = field(default_factory=set)  # request numbers (1-based) answered late
    hang_seconds: float = 0.0
    transient_run_ratio: float = 0.0  # share of runs in a 207 refused with 503
    invalid_run_ids: set[str] = field(default_factory=set)  # runs refused with 400
    too_large_over: int | None = None  # a batch of more runs than this answers 413
    seed: int = 7


class FakeApi:
    def __init__(self, faults: Faults | None = None, token_ttl: int = 900, jwt_tokens: bool = False) -> None:
        self.faults = faults or Faults()
        self.jwt_tokens = jwt_tokens  # tokens shaped like JWTs (unsigned), with sub, exp and scope claims
        self.agent_id = "agt_from_trust_policy"
        self.token_ttl = token_ttl
        self.lock = threading.Lock()
        self.random = random.Random(self.faults.seed)
        self.stored: dict[str, dict[str, Any]] = {}
        self.arrivals: Counter[str] = Counter()
        self.batch_sizes: list[int] = []
        self.batch_bytes: list[int] = []
        self.batch_requests = 0
        self.tokens_issued = 0
        self.token_forms: list[dict[str, str]] = []
        self.trusted_subject_tokens: set[str] = set()
        self.valid_tokens: set[str] = set()
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.routes: dict[tuple[str, str], Callable[[FakeApi, dict[str, Any]], Reply]] = {}
        self.approvals: dict[str, list[str]] = {}  # id -> statuses to answer, one per poll
        self._counter = itertools.count(1)
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                status, headers, payload = api.handle(
                    method, parts.path, parse_qs(parts.query), dict(self.headers), body
                )
                data = b"" if payload is None else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout) before the answer

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def do_DELETE(self) -> None:
                self._serve("DELETE")

            def do_PATCH(self) -> None:
                self._serve("PATCH")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- routing ----------------------------------------------------------------------------------
    def handle(
        self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str], body: bytes
    ) -> Reply:
        with self.lock:
            self.requests.append((method, path, headers, body))
        if path == "/oauth2/token" and method == "POST":
            return self._token(body)
        if not path.startswith("/api/v1/") or path.startswith("/api/v1/auth/"):  # public routes
            pass
        elif not self._authorized(headers):
            return 401, {}, _error("unauthorized", "Missing or invalid credentials")
        custom = self.routes.get((method, path))
        if custom is not None:
            return custom(self, {"query": query, "headers": headers, "body": body})
        if path == "/api/v1/ingest/batch" and method == "POST":
            return self._batch(body)
        if path.startswith("/api/v1/approvals/") and method == "GET":
            return self._approval(path.rsplit("/", 1)[-1])
        return 404, {}, _error("not_found", f"No route {method} {path}")

    def _authorized(self, headers: dict[str, str]) -> bool:
        value = headers.get("Authorization", "")
        if value.startswith("Bearer agk_"):
            return True
        with self.lock:
            return value.removeprefix("Bearer ") in self.valid_tokens

    def _token(self, body: bytes) -> Reply:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        with self.lock:
            self.token_forms.append(form)
        if form.get("grant_type") == "urn:ietf:params:oauth:grant-type:token-exchange":
            with self.lock:
                trusted = form.get("subject_token") in self.trusted_subject_tokens
                self.trusted_subject_tokens.discard(form.get("subject_token", ""))  # each jti once
            if not trusted:
                return 400, {}, {"error": "invalid_grant", "error_description": "no trust policy matches"}
        with self.lock:
            self.tokens_issued += 1
            token = f"tok-{self.tokens_issued}"
            if self.jwt_tokens:
                token = _unsigned_jwt(
                    {
                        "sub": self.agent_id,
                        "exp": int(time.time()) + self.token_ttl,
                        "scope": form.get("scope", ""),
                        "n": self.tokens_issued,
                    }
                )
            self.valid_tokens.add(token)
        return (
            200,
            {},
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": self.token_ttl,
                "scope": form.get("scope", ""),
            },
        )

    def revoke_all_tokens(self) -> None:
        with self.lock:
            self.valid_tokens.clear()

    def _batch(self, body: bytes) -> Reply:
        with self.lock:
            self.batch_requests += 1
            number = self.batch_requests
            roll = self.random.random()
        faults = self.faults
        if roll < faults.throttle_ratio:
            return 429, {"Retry-After": "0"}, _error("throttled", "Too many requests")
        if roll < faults.throttle_ratio + faults.unavailable_ratio:
            return 503, {"Retry-After": "0"}, _error("dependency_unavailable", "The runs stream is busy")
        runs = json.loads(body)["runs"]
        if faults.too_large_over is not None and len(runs) > faults.too_large_over:
            return 413, {}, _error("request_too_large", "too large")
        results = []
        with self.lock:
            self.batch_sizes.append(len(runs))
            self.batch_bytes.append(len(body))
            for run in runs:
                run_id = run.get("run_id")
                if run_id in faults.invalid_run_ids or not run_id:
                    results.append(
                        {
                            "run_id": run_id,
                            "status": 400,
                            "error": _error("validation_error", "Invalid run: status")["error"],
                        }
                    )
                elif self.random.random() < faults.transient_run_ratio:
                    results.append(
                        {
                            "run_id": run_id,
                            "status": 503,
                            "error": _error("dependency_unavailable", "retry")["error"],
                        }
                    )
                else:
                    self.arrivals[run_id] += 1
                    self.stored.setdefault(run_id, run)  # the consumer's condition on run_id
                    results.append({"run_id": run_id, "status": 202})
        if number in faults.hang_requests:
            time.sleep(faults.hang_seconds)  # stored, but answered after the client gave up
        accepted = sum(1 for r in results if r["status"] == 202)
        return 207, {}, {"results": results, "accepted": accepted, "rejected": len(results) - accepted}

    def _approval(self, approval_id: str) -> Reply:
        with self.lock:
            statuses = self.approvals.get(approval_id)
            if statuses is None:
                return 404, {}, _error("not_found", "No such approval")
            status = statuses.pop(0) if len(statuses) > 1 else statuses[0]
        return 200, {}, _approval_body(approval_id, status)

    def count(self, method: str, path: str) -> int:
        with self.lock:
            return sum(1 for m, p, _, _ in self.requests if (m, p) == (method, path))


def _unsigned_jwt(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'at+jwt'})}.{part(claims)}.unsigned"


def _error(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or []}}


def _approval_body(approval_id: str, status: str) -> dict[str, Any]:
    return {
        "id": approval_id,
        "status": status,
        "stage": "initial",
        "requested_by": "agt_1",
        "action": "deploy",
        "policy_ids": ["pol_1"],
        "approvers": ["role:admin"],
        "escalation_approvers": [],
        "timeout_seconds": 600,
        "created_at": "2026-11-23T10:00:00Z",
    }


error_body = _error

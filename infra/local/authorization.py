"""The REQUEST authorizer as API Gateway runs it: identity source, result cache, policy evaluation.

API Gateway caches an authorizer's result by its identity source (here the ``Authorization``
header) for the authorizer's TTL, and evaluates the cached policy against each request's method
ARN, so a policy scoped to one path does not open another. An explicit Deny wins over any Allow.
"""

from __future__ import annotations

import fnmatch
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Clock = Callable[[], float]
Authorizer = Callable[[dict[str, Any], Any], dict[str, Any]]

IDENTITY_HEADER = "authorization"


@dataclass(frozen=True)
class AuthorizerResult:
    principal_id: str
    policy: dict[str, Any]
    context: dict[str, Any] = field(default_factory=dict)
    usage_identifier_key: str | None = None


@dataclass(frozen=True)
class Verdict:
    """``status`` is 200 when allowed, else 401 or 403 (or 500 when the authorizer is broken)."""

    status: int
    result: AuthorizerResult | None = None


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    statements = policy.get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _action_matches(action: str) -> bool:
    return any(fnmatch.fnmatchcase("execute-api:Invoke", pattern) for pattern in (action, action.lower()))


def policy_allows(policy: dict[str, Any], method_arn: str) -> bool:
    """True when some statement allows ``execute-api:Invoke`` on the ARN and none denies it."""
    allowed = False
    for statement in _statements(policy):
        actions = _as_list(statement.get("Action"))
        resources = _as_list(statement.get("Resource"))
        if not any(_action_matches(a) for a in actions):
            continue
        if not any(fnmatch.fnmatchcase(method_arn, pattern) for pattern in resources):
            continue
        effect = str(statement.get("Effect", "")).lower()
        if effect == "deny":
            return False
        if effect == "allow":
            allowed = True
    return allowed


def parse_result(raw: Any) -> AuthorizerResult:
    """Validate what the authorizer returned; a malformed answer is the authorizer's fault (500)."""
    if not isinstance(raw, dict) or "policyDocument" not in raw or "principalId" not in raw:
        raise ValueError("authorizer result needs principalId and policyDocument")
    context = raw.get("context") or {}
    for key, value in context.items():
        if not isinstance(value, str | int | float | bool):
            raise ValueError(f"authorizer context value {key!r} must be a string, number or boolean")
    key = raw.get("usageIdentifierKey")
    return AuthorizerResult(
        principal_id=str(raw["principalId"]),
        policy=raw["policyDocument"],
        context={k: str(v) if isinstance(v, bool) else v for k, v in context.items()},
        usage_identifier_key=str(key) if key else None,
    )


class AuthorizerCache:
    """Calls the authorizer on a cache miss; caches its policy per identity source for ``ttl`` seconds.

    A refusal (``Exception("Unauthorized")``) is not cached: the next request asks again.
    """

    def __init__(
        self,
        authorizer: Callable[[], Authorizer],
        ttl_seconds: int,
        *,
        clock: Clock = time.monotonic,
        context_factory: Callable[[], Any] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self._authorizer = authorizer
        self._ttl = ttl_seconds
        self._clock = clock
        self._context_factory = context_factory or (lambda: None)
        self._on_error = on_error or (lambda exc: None)
        self._cache: dict[str, tuple[float, AuthorizerResult]] = {}
        self._lock = threading.Lock()
        self.invocations = 0

    def _cached(self, identity: str) -> AuthorizerResult | None:
        with self._lock:
            entry = self._cache.get(identity)
            if entry is None or self._clock() >= entry[0]:
                self._cache.pop(identity, None)
                return None
            return entry[1]

    def _store(self, identity: str, result: AuthorizerResult) -> None:
        if self._ttl > 0:
            with self._lock:
                self._cache[identity] = (self._clock() + self._ttl, result)

    def flush(self) -> int:
        """API Gateway's ``FlushStageAuthorizersCache``: forget every cached answer; returns how many."""
        with self._lock:
            dropped = len(self._cache)
            self._cache.clear()
        return dropped

    def authorize(self, event: dict[str, Any]) -> Verdict:
        headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
        identity = headers.get(IDENTITY_HEADER)
        if not identity:
            return Verdict(401)  # API Gateway refuses without calling the authorizer
        result = self._cached(identity)
        if result is None:
            self.invocations += 1
            try:
                raw = self._authorizer()(event, self._context_factory())
            except Exception as exc:  # noqa: BLE001 - the authorizer's way to say 401, or its crash
                if str(exc) == "Unauthorized":
                    return Verdict(401)
                self._on_error(exc)
                return Verdict(500)
            try:
                result = parse_result(raw)
            except ValueError as exc:
                self._on_error(exc)
                return Verdict(500)
            self._store(identity, result)
        if not policy_allows(result.policy, event["methodArn"]):
            return Verdict(403, result)
        return Verdict(200, result)

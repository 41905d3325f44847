"""The exceptions the SDK raises. Every API refusal carries the API's ``code``, ``message`` and
``details`` (the error body of the contract) and the HTTP status; its class says what kind it is."""

from __future__ import annotations

from typing import Any


class AgentGateError(Exception):
    """Base of every exception this package raises."""


class TransportError(AgentGateError):
    """The API could not be reached (connection refused, DNS, timeout) after the allowed retries."""


class ApiError(AgentGateError):
    """The API answered with an error body ``{"error": {"code", "message", "details"}}``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[dict[str, Any]] | None = None,
        *,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.retry_after = retry_after


class BadRequest(ApiError):
    """400: the request is invalid; ``details`` name the fields."""


class Unauthorized(ApiError):
    """401: no credentials, or credentials the API does not accept."""


class Forbidden(ApiError):
    """403: authenticated but not allowed (role, scope, tier limit, paused agent or tenant)."""


class NotFound(ApiError):
    """404: absent, or another tenant's."""


class Conflict(ApiError):
    """409: the request conflicts with the current state (already decided, already exists, ...)."""


class Unprocessable(ApiError):
    """422: well-formed but semantically invalid."""


class RateLimited(ApiError):
    """429: throttled or over quota, still so after the allowed retries; ``retry_after`` in seconds."""


class ServiceUnavailable(ApiError):
    """503 (or another 5xx): a dependency is down, still so after the allowed retries."""


class OAuthError(ApiError):
    """The token endpoint refused (an RFC 6749 error body); ``code`` is e.g. ``invalid_client``."""


class Denied(AgentGateError):
    """A governed action was denied: by a policy or a budget, or its approval was rejected or expired."""

    def __init__(self, action: str, decision: str, reasons: list[Any], approval: Any | None = None) -> None:
        why = "; ".join(getattr(r, "message", str(r)) for r in reasons) or decision
        super().__init__(f"{action!r} {decision}: {why}")
        self.action = action
        self.decision = decision
        self.reasons = reasons
        self.approval = approval


class ApprovalTimeout(AgentGateError):
    """``wait_for_approval`` gave up: the approval was still pending when its timeout passed."""

    def __init__(self, approval_id: str, waited_seconds: float) -> None:
        super().__init__(f"approval {approval_id} still pending after {waited_seconds:.0f}s")
        self.approval_id = approval_id
        self.waited_seconds = waited_seconds


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    422: Unprocessable,
    429: RateLimited,
}


def error_for(status: int, body: Any, retry_after: float | None = None) -> ApiError:
    """The typed exception for an error reply: the API's error body, or an OAuth one, or none at all."""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        code = str(error.get("code") or "error")
        message = str(error.get("message") or "")
        details = error.get("details") if isinstance(error.get("details"), list) else []
        cls = _BY_STATUS.get(status, ServiceUnavailable if status >= 500 else ApiError)
        return cls(status, code, message, details, retry_after=retry_after)
    if isinstance(body, dict) and isinstance(body.get("error"), str):  # RFC 6749 section 5.2
        return OAuthError(status, body["error"], str(body.get("error_description") or ""), [])
    cls = _BY_STATUS.get(status, ServiceUnavailable if status >= 500 else ApiError)
    text = body if isinstance(body, str) else ""
    return cls(status, f"http_{status}", text[:500] or f"HTTP {status}", [], retry_after=retry_after)

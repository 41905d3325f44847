"""Domain exceptions. They map to the API's error body in one place (platform.api)."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """An error a caller can act on. ``status`` and ``code`` form the HTTP answer."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or []
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(DomainError):
    status, code = 400, "bad_request"


class Unauthorized(DomainError):
    status, code = 401, "unauthorized"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class NotFound(DomainError):
    status, code = 404, "not_found"


class Conflict(DomainError):
    status, code = 409, "conflict"


class PayloadTooLarge(DomainError):
    status, code = 413, "payload_too_large"


class UnsupportedMediaType(DomainError):
    status, code = 415, "unsupported_media_type"


class Unprocessable(DomainError):
    status, code = 422, "unprocessable"


class TooManyRequests(DomainError):
    status, code = 429, "too_many_requests"


class DependencyUnavailable(DomainError):
    status, code = 503, "dependency_unavailable"


def field_error(field: str, message: str, code: str = "invalid") -> BadRequest:
    """A 400 naming one field: the common case of a semantic check after parsing."""
    return BadRequest(
        f"{field}: {message}",
        code="validation_error",
        details=[{"field": field, "issue": code, "message": message}],
    )

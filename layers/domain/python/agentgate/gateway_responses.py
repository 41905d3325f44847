"""What the gateway itself answers (before or instead of a function): one row per API Gateway response type.

CDK turns each row into a gateway response (status, the API's error body, ``Retry-After``); the local
gateway answers the same rows for the same conditions, so both speak the same words.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GatewayResponse:
    type: str  # API Gateway's response type, e.g. UNAUTHORIZED
    status: int | None  # None keeps the status API Gateway chose (the DEFAULT_4XX / DEFAULT_5XX families)
    code: str
    message: str
    # Seconds a client should wait: a throttle bucket refills within a second; a daily quota resets at
    # 00:00 UTC, which a gateway response cannot compute, so clients are told to come back in an hour.
    retry_after: str | None = None


GATEWAY_RESPONSES: tuple[GatewayResponse, ...] = (
    GatewayResponse("UNAUTHORIZED", 401, "unauthorized", "Missing or invalid credentials."),
    GatewayResponse("ACCESS_DENIED", 403, "forbidden", "Not allowed (paused agent or tenant)."),
    GatewayResponse("INVALID_API_KEY", 403, "forbidden", "The tenant has no usage plan for this API."),
    GatewayResponse("MISSING_AUTHENTICATION_TOKEN", 404, "not_found", "No such route."),
    GatewayResponse("THROTTLED", 429, "too_many_requests", "Over the tier's rate limit.", "1"),
    GatewayResponse("QUOTA_EXCEEDED", 429, "quota_exceeded", "The tier's daily quota is used up.", "3600"),
    GatewayResponse("REQUEST_TOO_LARGE", 413, "request_too_large", "The request body is too large."),
    GatewayResponse("DEFAULT_4XX", None, "bad_request", "The request was refused."),
    GatewayResponse("DEFAULT_5XX", None, "service_unavailable", "The service failed to answer."),
)
_BY_TYPE = {row.type: row for row in GATEWAY_RESPONSES}


def gateway_response(response_type: str) -> GatewayResponse:
    return _BY_TYPE[response_type]

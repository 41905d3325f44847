"""OAuth 2.0 errors: RFC 6749 §5.2 bodies ``{"error", "error_description"}``, not the API's error envelope."""

from __future__ import annotations


class OAuthError(Exception):
    status = 400

    def __init__(self, error: str, description: str, *, status: int | None = None) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        if status is not None:
            self.status = status

    @property
    def headers(self) -> dict[str, str]:
        return {}


class InvalidClient(OAuthError):
    """401 with a ``WWW-Authenticate`` challenge (RFC 6749 §5.2)."""

    status = 401

    def __init__(self, description: str = "Client authentication failed.") -> None:
        super().__init__("invalid_client", description)

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Basic realm="agentgate", error="invalid_client"'}


def invalid_request(description: str) -> OAuthError:
    return OAuthError("invalid_request", description)


def invalid_scope(description: str) -> OAuthError:
    return OAuthError("invalid_scope", description)


def invalid_grant(description: str) -> OAuthError:
    return OAuthError("invalid_grant", description)


def invalid_target(description: str) -> OAuthError:
    """RFC 8707 §2: the requested resource is invalid, unknown or not allowed for this client."""
    return OAuthError("invalid_target", description)


def unsupported_grant_type(grant_type: str) -> OAuthError:
    return OAuthError("unsupported_grant_type", f"grant_type {grant_type!r} is not supported.")


def unauthorized_client(description: str) -> OAuthError:
    return OAuthError("unauthorized_client", description)

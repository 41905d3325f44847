"""What a JSON route accepts before its body is parsed: the media type and UTF-8 text.

API Gateway hands a function whatever bytes a caller sent. A body in another media type
(``multipart/form-data``, ``text/plain``...) is a 415 and bytes that are not UTF-8 are a 400,
both before the route's function runs, so nothing is written on either path. Form-encoded
routes (OAuth) check their own media type and answer in RFC 6749's error format.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from agentgate.platform.errors import BadRequest, UnsupportedMediaType
from agentgate.routes import Route

JSON_MEDIA_TYPE = "application/json"
_TEXT_CHARSETS = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})


def header(raw_event: dict[str, Any], name: str) -> str | None:
    wanted = name.lower()
    for key, value in (raw_event.get("headers") or {}).items():
        if key.lower() == wanted:
            return str(value)
    return None


def media_type(content_type: str) -> tuple[str, dict[str, str]]:
    """``"application/json; charset=UTF-8"`` -> ``("application/json", {"charset": "utf-8"})``."""
    kind, *params = content_type.split(";")
    parsed: dict[str, str] = {}
    for param in params:
        name, _, value = param.partition("=")
        parsed[name.strip().lower()] = value.strip().strip('"').lower()
    return kind.strip().lower(), parsed


def is_json(kind: str) -> bool:
    return kind == JSON_MEDIA_TYPE or (kind.startswith("application/") and kind.endswith("+json"))


def raw_body(raw_event: dict[str, Any]) -> bytes:
    body = raw_event.get("body")
    if not body:
        return b""
    if raw_event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise _malformed("The request body is not valid base64.") from None
    return body.encode("utf-8", errors="surrogatepass") if isinstance(body, str) else bytes(body)


def _malformed(message: str) -> BadRequest:
    return BadRequest(
        message,
        code="malformed_body",
        details=[{"field": "body", "location": "body", "issue": "not_utf8", "message": message}],
    )


def check_json_body(route: Route, raw_event: dict[str, Any]) -> None:
    """Refuse a body a JSON route cannot read: wrong media type (415) or bytes that are not UTF-8 (400)."""
    if route.request_model is None or route.form_encoded:
        return
    body = raw_body(raw_event)
    content_type = header(raw_event, "content-type")
    if content_type is not None and content_type.strip():
        kind, params = media_type(content_type)
        charset = params.get("charset")
        if not is_json(kind) or (charset is not None and charset not in _TEXT_CHARSETS):
            raise UnsupportedMediaType(
                f"The body must be {JSON_MEDIA_TYPE} (UTF-8), not {content_type.strip()[:100]!r}.",
                details=[
                    {
                        "field": "Content-Type",
                        "location": "header",
                        "issue": "unsupported_media_type",
                        "message": f"use {JSON_MEDIA_TYPE}",
                    }
                ],
                headers={"Accept": JSON_MEDIA_TYPE},
            )
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _malformed(
            f"The request body is not UTF-8 text (invalid byte at offset {exc.start})."
        ) from None

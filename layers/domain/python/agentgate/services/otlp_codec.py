"""OTLP/HTTP trace exports on the wire: gzip, protobuf or JSON in, ExportTraceServiceResponse out.

Both encodings are read into the OTLP/JSON shape (lowerCamelCase keys, ids in hex), so one
mapping (``services.otel``) serves both. protobuf is imported only by protobuf requests.
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

from agentgate.platform.errors import BadRequest, PayloadTooLarge
from agentgate.schemas.runs import MAX_REQUEST_BYTES

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
MAX_ATTRIBUTE_CHARS = 2_000


def decompress(body: bytes, encoding: str) -> bytes:
    if len(body) > MAX_REQUEST_BYTES:
        raise PayloadTooLarge(f"The export is {len(body)} bytes; the limit is {MAX_REQUEST_BYTES}.")
    if encoding.strip().lower() not in ("gzip", "deflate") and not body.startswith(b"\x1f\x8b"):
        return body
    try:
        inflater = zlib.decompressobj(wbits=47)  # gzip or zlib headers
        raw = inflater.decompress(body, MAX_REQUEST_BYTES + 1)
    except zlib.error as exc:
        raise BadRequest("The body is not valid gzip.", code="malformed_body") from exc
    if len(raw) > MAX_REQUEST_BYTES:
        raise PayloadTooLarge(f"The export is larger than {MAX_REQUEST_BYTES} bytes uncompressed.")
    return raw


def decode_request(raw: bytes, media: str) -> dict[str, Any]:
    """The export as OTLP/JSON (ids in hex), whichever encoding it came in."""
    if media == JSON:
        try:
            document = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadRequest("The body is not valid JSON.", code="malformed_json") from exc
        if not isinstance(document, dict):
            raise BadRequest("The body is not an ExportTraceServiceRequest.", code="malformed_body")
        return document
    # Imported here: only protobuf exports pay for protobuf's import.
    from google.protobuf.json_format import MessageToDict
    from google.protobuf.message import DecodeError
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    request = ExportTraceServiceRequest()
    try:
        request.ParseFromString(raw)
    except DecodeError as exc:
        raise BadRequest(
            "The body is not a protobuf ExportTraceServiceRequest.", code="malformed_protobuf"
        ) from exc
    document = MessageToDict(request)
    for resource_spans in document.get("resourceSpans", []):
        for scope_spans in resource_spans.get("scopeSpans", []):
            for span in scope_spans.get("spans", []):
                for key in ("traceId", "spanId", "parentSpanId"):
                    if span.get(key):
                        span[key] = base64.b64decode(span[key]).hex()
    return document


def encode_response(media: str, rejected: int, message: str) -> tuple[bytes, str]:
    if media == JSON:
        partial = {"rejectedSpans": str(rejected), "errorMessage": message} if rejected or message else {}
        return json.dumps({"partialSuccess": partial} if partial else {}).encode(), JSON
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

    response = ExportTraceServiceResponse()
    if rejected or message:
        response.partial_success.rejected_spans = rejected
        response.partial_success.error_message = message
    return response.SerializeToString(), PROTOBUF


def as_list(value: Any) -> list[Any]:
    """A JSON array of the export, or nothing: a malformed part is skipped, never a 500."""
    return value if isinstance(value, list) else []


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def attributes(items: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in as_list(items):
        if isinstance(item, dict) and isinstance(item.get("key"), str):
            out[item["key"]] = any_value(item.get("value"))
    return out


def any_value(value: Any) -> Any:
    if not isinstance(value, dict):
        return None
    if "stringValue" in value:
        return str(value["stringValue"])[:MAX_ATTRIBUTE_CHARS]
    if "intValue" in value:
        try:
            return int(value["intValue"])
        except (TypeError, ValueError):
            return None
    if "doubleValue" in value:
        return value["doubleValue"]
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "arrayValue" in value:
        return [any_value(v) for v in as_list(as_dict(value["arrayValue"]).get("values"))][:100]
    if "kvlistValue" in value:
        return attributes(as_dict(value["kvlistValue"]).get("values"))
    return None

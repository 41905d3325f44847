"""The OpenAPI 3.1 document, generated from the routes table and the pydantic models it names.

``make openapi`` writes it to docs/openapi.json; a test fails when the committed copy drifts.
"""

from __future__ import annotations

import importlib
import json
import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from agentgate.platform.tenancy import Caller
from agentgate.routes import ROUTES, Route

TITLE = "AgentGate API"
VERSION = "0.1.0"
_PATH_PARAM = re.compile(r"{(\w+)}")
_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "array", "items": {"type": "object"}},
            },
        }
    },
}
# RFC 6749 §5.2: the OAuth endpoints' own error body.
_OAUTH_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
}
_ERRORS = {
    "400": "Bad input; details name the field",
    "401": "No or bad credentials",
    "403": "Authenticated but not allowed",
    "404": "Not found, or belongs to another tenant",
    "429": "Throttled or over quota; see Retry-After",
    "503": "A dependency is down; see Retry-After",
}
_BODY_ERRORS = {
    "413": "The body is over the route's size limit",
    "415": "The body is not in the route's media type",
}
_SECURITY_SCHEMES = {
    "userToken": {"type": "http", "scheme": "bearer", "description": "A portal user's access token"},
    "apiKey": {"type": "http", "scheme": "bearer", "description": "A tenant API key, agk_..."},
    "agentToken": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An agent token",
    },
}
_SCHEME_FOR = {Caller.USER: "userToken", Caller.APIKEY: "apiKey", Caller.AGENT: "agentToken"}


def _load(ref: str) -> type[BaseModel]:
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(f"agentgate.schemas.{module}"), name)


def _operation(route: Route, refs: dict[str, str]) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": route.handler,
        "summary": route.summary,
        "tags": [route.tag],
        "x-agentgate-callers": sorted(c.value for c in route.callers),
    }
    if route.role:
        op["x-agentgate-role"] = route.role.value
    if route.scopes:
        op["x-agentgate-scopes"] = list(route.scopes)
    if route.agent_scopes:
        op["x-agentgate-agent-scopes"] = list(route.agent_scopes)
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PATH_PARAM.findall(route.path)
    ]
    if route.query_model:
        schema = _load(route.query_model).model_json_schema()
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            params.append({"name": name, "in": "query", "required": name in required, "schema": prop})
    if params:
        op["parameters"] = params
    if route.request_model:
        media = "application/x-www-form-urlencoded" if route.form_encoded else "application/json"
        op["requestBody"] = {
            "required": True,
            "content": {media: {"schema": {"$ref": refs[route.request_model]}}},
        }
    elif route.request_content_types:
        op["requestBody"] = {
            "required": True,
            "description": "Content-Encoding gzip accepted; another content type answers 415",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in route.request_content_types
            },
        }
    success: dict[str, Any] = {"description": "Success"}
    if route.response_model:
        success["content"] = {route.content_type: {"schema": {"$ref": refs[route.response_model]}}}
    elif route.content_type != "application/json":
        success["content"] = {route.content_type: {"schema": {"type": "string"}}}
    responses: dict[str, Any] = {str(route.status): success}
    errors = {**_ERRORS, **(_BODY_ERRORS if route.request_model else {})}
    # The OAuth endpoints answer RFC 6749 bodies; the gateway in front of them answers the API's own.
    error_schema: dict[str, Any] = {"$ref": "#/components/schemas/Error"}
    if route.form_encoded:
        error_schema = {"anyOf": [{"$ref": "#/components/schemas/OAuthError"}, error_schema]}
    for status, text in sorted(errors.items()):
        if status in {"401", "403"} and route.is_public and not route.form_encoded:
            continue
        responses[status] = {"description": text, "content": {"application/json": {"schema": error_schema}}}
    op["responses"] = responses
    if not route.is_public:
        op["security"] = [
            {_SCHEME_FOR[c]: []} for c in sorted(route.callers, key=lambda c: c.value) if c in _SCHEME_FOR
        ]
    return op


@lru_cache(maxsize=1)
def _document_text() -> str:
    model_refs = sorted({ref for r in ROUTES for ref in (r.request_model, r.response_model) if ref})
    request_refs = {r.request_model for r in ROUTES}
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (_load(ref), "validation" if ref in request_refs else "serialization") for ref in model_refs
    ]
    keyed, defs = models_json_schema(models, ref_template="#/components/schemas/{model}")
    refs = {ref: keyed[(_load(ref), mode)]["$ref"] for ref, (_, mode) in zip(model_refs, models, strict=True)}
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, refs)
    schemas = dict(defs.get("$defs", {}))
    schemas["Error"] = _ERROR_SCHEMA
    schemas["OAuthError"] = _OAUTH_ERROR_SCHEMA
    doc = {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": VERSION,
            "description": "Identity, governance and cost control for AI agents.",
        },
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": dict(sorted(schemas.items())), "securitySchemes": _SECURITY_SCHEMES},
    }
    return json.dumps(doc, indent=2, sort_keys=False) + "\n"


def document() -> dict[str, Any]:
    return json.loads(_document_text())


def document_text() -> str:
    return _document_text()

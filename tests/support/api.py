"""Calls a handler module the way API Gateway would, after the authorizer has run."""

from __future__ import annotations

import base64
import importlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from agentgate.platform.tenancy import TenantContext, authorizer_context
from agentgate.routes import Route, routes_by_key
from infra.local.apigw import LambdaContext, rest_event


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str
    base64_encoded: bool = False

    @property
    def json(self) -> Any:
        return json.loads(self.text)

    @property
    def raw_body(self) -> bytes:
        return base64.b64decode(self.text) if self.base64_encoded else self.text.encode()


def route_for(method: str, resource: str) -> Route:
    return routes_by_key()[f"{method} {resource}"]


def call(
    method: str,
    resource: str,
    *,
    path_params: dict[str, str] | None = None,
    body: Any = None,
    raw_body: str | bytes | None = None,
    query: dict[str, Any] | None = None,
    ctx: TenantContext | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """Invoke the handler of the route ``method resource`` with an API Gateway REST event."""
    route = route_for(method, resource)
    path = resource
    for name, value in (path_params or {}).items():
        path = path.replace("{" + name + "}", value)
    text = raw_body if raw_body is not None else (json.dumps(body) if body is not None else None)
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    event = rest_event(
        method,
        resource,
        path,
        body=text,
        headers=all_headers,
        query=urlencode(query or {}, doseq=True),
        path_parameters=path_params,
        authorizer=authorizer_context(ctx) if ctx else None,
    )
    module = importlib.import_module(f"functions.{route.handler}")
    result = module.handler(event, LambdaContext(function_name=route.handler))
    headers_out = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
    for key, values in (result.get("multiValueHeaders") or {}).items():
        headers_out[key.lower()] = values[-1]
    return Reply(
        status=result["statusCode"],
        headers=headers_out,
        text=result.get("body") or "",
        base64_encoded=bool(result.get("isBase64Encoded")),
    )

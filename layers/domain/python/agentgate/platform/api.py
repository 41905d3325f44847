"""The resolver factory: validation, access control and the error body, in one place.

Every handler module builds its resolver here, registers its one route and exports
``handler = make_handler(app)``. Domain exceptions, validation errors and AWS
dependency failures become the error body of API.md here and nowhere else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (
    OpenAPIRequestValidationMiddleware,
)
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ValidationError

from agentgate.platform.errors import DomainError, Forbidden, Unauthorized
from agentgate.platform.metering import meter_api_call
from agentgate.platform.observability import logger, metrics
from agentgate.platform.request_body import check_json_body
from agentgate.platform.tenancy import ADMIN_SCOPE, Caller, TenantContext, context_from_authorizer
from agentgate.routes import ROUTES, Route, find_route

_TENANT_KEY = "agentgate.tenant"
F = TypeVar("F", bound=Callable[..., Any])
B = TypeVar("B", bound=BaseModel)
_THROTTLING_CODES = frozenset(
    {
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "ServiceUnavailable",
    }
)
# A dependency refusing a value: the services name the field where they can; anything they did not
# anticipate is still the caller's value, so a 400 rather than a 502.
_REFUSED_VALUE_CODES = frozenset(
    {"ValidationException", "InvalidParameterException", "InvalidParameterValueException"}
)


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = {"error": {"code": code, "message": message, "details": details or []}}
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(body),
        headers=headers or {},
    )


def validation_details(errors: Any) -> list[dict[str, Any]]:
    """pydantic / Powertools errors -> ``[{field, location, issue, message}]``."""
    details = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ())]
        location = loc[0] if loc and loc[0] in {"body", "query", "path", "header"} else "body"
        field_parts = loc[1:] if loc and loc[0] == location else loc
        details.append(
            {
                # A JSON syntax error's location is a character offset, not a field: name the body.
                "field": location if err.get("type") == "json_invalid" else ".".join(field_parts) or location,
                "location": location,
                "issue": err.get("type", "invalid"),
                "message": err.get("msg", "invalid value"),
            }
        )
    return details


def _validation_response(errors: Any) -> Response:
    details = validation_details(errors)
    if any(d["issue"] == "json_invalid" for d in details):
        return error_response(400, "malformed_json", "The request body is not valid JSON.", details)
    fields = ", ".join(sorted({d["field"] for d in details}))
    return error_response(400, "validation_error", f"Invalid request: {fields}", details)


def check_access(route: Route, ctx: TenantContext | None) -> None:
    """Enforce the route's callers, role and scopes for the authenticated principal."""
    if route.is_public:
        return
    if ctx is None:
        raise Unauthorized("Credentials are missing or invalid.")
    principal = ctx.principal
    admin_key = principal.kind is Caller.APIKEY and ADMIN_SCOPE in principal.scopes
    if principal.kind not in route.callers and not (admin_key and Caller.USER in route.callers):
        raise Forbidden(
            f"This route cannot be called with {principal.kind.value} credentials.", code="caller_not_allowed"
        )
    if principal.kind is Caller.USER and route.role is not None:
        if principal.role is None or not principal.role.at_least(route.role):
            raise Forbidden(
                f"This action needs the {route.role.value} role or higher.", code="insufficient_role"
            )
    if principal.kind is Caller.APIKEY and not admin_key:
        missing = sorted(set(route.scopes) - principal.scopes)
        if missing:
            raise Forbidden(f"Missing scope: {' '.join(missing)}", code="insufficient_scope")
    if principal.kind is Caller.AGENT:
        missing = sorted(set(route.agent_scopes) - principal.scopes)
        if missing:
            raise Forbidden(f"Missing scope: {' '.join(missing)}", code="insufficient_scope")


def _enforce_route(app: Any) -> None:
    event = app.current_event
    route = find_route(event.http_method, event.resource)
    if route is None:
        raise NotFoundError(f"No route {event.http_method} {event.resource}")
    authorizer = (event.raw_event.get("requestContext") or {}).get("authorizer") or {}
    ctx = context_from_authorizer(authorizer)
    if ctx is not None:
        logger.append_keys(
            tenant_id=ctx.tenant_id, principal=f"{ctx.principal.kind.value}:{ctx.principal.id}"
        )
    check_access(route, ctx)
    check_json_body(route, event.raw_event)
    app.append_context(**{_TENANT_KEY: ctx, "agentgate.route": route})


class _AccessThenValidation(OpenAPIRequestValidationMiddleware):
    """Checks the route's callers, role and scopes, then validates the request.

    Powertools always runs request validation before any middleware registered with ``app.use``;
    access comes first so a caller who may not call a route learns nothing about its body (403, not 400).
    """

    def handler(self, app: Any, next_middleware: NextMiddleware) -> Response:
        _enforce_route(app)
        return super().handler(app, next_middleware)


def tenant_context(app: APIGatewayRestResolver) -> TenantContext:
    """The caller's tenant context (set by the access middleware; routes that need it are not public)."""
    ctx = app.context.get(_TENANT_KEY)
    if ctx is None:
        raise Unauthorized("Credentials are missing or invalid.")
    return ctx


def make_resolver() -> APIGatewayRestResolver:
    app = APIGatewayRestResolver(enable_validation=True)
    app._request_validation_middleware = _AccessThenValidation()

    @app.exception_handler(DomainError)
    def _domain_error(exc: DomainError) -> Response:
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(RequestValidationError)
    def _request_invalid(exc: RequestValidationError) -> Response:
        return _validation_response(exc.errors())

    @app.exception_handler(ValidationError)
    def _model_invalid(exc: ValidationError) -> Response:
        return _validation_response(exc.errors())

    @app.exception_handler(NotFoundError)
    def _no_route(exc: NotFoundError) -> Response:
        return error_response(404, "not_found", "No such route.")

    @app.exception_handler(ClientError)
    def _aws_client_error(exc: ClientError) -> Response:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in _THROTTLING_CODES:
            logger.warning("dependency throttled", extra={"aws_error": code})
            return error_response(
                503,
                "dependency_unavailable",
                "A dependency is busy; retry shortly.",
                headers={"Retry-After": "1"},
            )
        if code in _REFUSED_VALUE_CODES:
            logger.error(
                "dependency refused a value", extra={"aws_error": code, "operation": exc.operation_name}
            )
            return error_response(
                400,
                "invalid_value",
                "A value in the request was refused; check the fields' formats and sizes.",
                [{"field": "body", "issue": "refused_by_dependency", "message": code}],
            )
        raise exc

    @app.exception_handler(BotoCoreError)
    def _aws_unreachable(exc: BotoCoreError) -> Response:
        logger.warning("dependency unreachable", extra={"aws_error": type(exc).__name__})
        return error_response(
            503,
            "dependency_unavailable",
            "A dependency is unreachable; retry shortly.",
            headers={"Retry-After": "1"},
        )

    return app


def make_handler(app: APIGatewayRestResolver) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
    @metrics.log_metrics(raise_on_empty_metrics=False)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        result = app.resolve(event, context)
        meter_api_call(event, result)
        return result

    return handler


def handler_routes(module: str) -> tuple[Route, ...]:
    """The routes table's rows served by the handler module ``module`` (its ``__name__`` will do)."""
    name = module.rsplit(".", 1)[-1]
    return tuple(row for row in ROUTES if row.handler == name)


def resolver_path(path: str) -> str:
    """A table path (``/api/v1/agents/{id}``) in the resolver's syntax (``/api/v1/agents/<id>``)."""
    return re.sub(r"\{([^}]+)\}", r"<\1>", path)


def table_route(app: APIGatewayRestResolver, module: str) -> Callable[[F], F]:
    """Register the decorated function for its row(s) of the routes table: path, method and status.

    ``@table_route(app, __name__)`` replaces ``@app.get("/path")``, so the path in the handler cannot
    drift from the table (and from the OpenAPI document generated from it).
    """
    rows = handler_routes(module)
    if not rows:
        raise LookupError(f"no route in the routes table is served by {module}")

    def register(function: F) -> F:
        for row in rows:
            app.route(resolver_path(row.path), row.method, status_code=row.status)(function)
        return function

    return register


def optional_body(app: APIGatewayRestResolver, model: type[B]) -> B:
    """The request body parsed with ``model``, or the model's defaults when the body is empty."""
    body = app.current_event.body
    return model.model_validate_json(body) if body else model()

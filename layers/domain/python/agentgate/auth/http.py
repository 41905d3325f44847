"""The HTTP surface of the OAuth endpoints: form bodies, client authentication and RFC 6749 error bodies.

These endpoints are public in the routes table because they authenticate the client themselves
(RFC 6749 §2.3.1: ``client_secret_basic`` or ``client_secret_post``; introspection and revocation
also take a tenant API key as a bearer token).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar
from urllib.parse import parse_qsl, unquote_plus

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from pydantic import BaseModel, ValidationError

from agentgate.auth.errors import InvalidClient, OAuthError, invalid_request
from agentgate.platform.api import make_resolver

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_FIELDS = 32
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
API_KEY_PREFIX = "agk_"

M = TypeVar("M", bound=BaseModel)


def oauth_error_response(exc: OAuthError) -> Response:
    body = {"error": exc.error, "error_description": exc.description}
    return Response(
        status_code=exc.status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(body),
        headers={**NO_STORE, **exc.headers},
    )


def make_oauth_resolver() -> APIGatewayRestResolver:
    """The project's resolver, answering OAuth errors with RFC 6749 bodies."""
    app = make_resolver()
    app.exception_handler(OAuthError)(oauth_error_response)
    return app


def no_store(body: BaseModel) -> Response:
    """A 200 carrying a token or token metadata: never cached (RFC 6749 §5.1)."""
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=body, headers=NO_STORE)


def _header(event: APIGatewayProxyEvent, name: str) -> str | None:
    wanted = name.lower()
    return next((v for k, v in (event.headers or {}).items() if k.lower() == wanted), None)


def read_form(event: APIGatewayProxyEvent) -> dict[str, str]:
    """The form body as a dict; a repeated parameter is refused and an empty one counts as absent."""
    content_type = (_header(event, "content-type") or "").split(";", 1)[0].strip().lower()
    if content_type != FORM_CONTENT_TYPE:
        raise invalid_request(f"The body must be {FORM_CONTENT_TYPE}.")
    try:
        pairs = parse_qsl(event.decoded_body or "", keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except ValueError as exc:
        raise invalid_request("The form body is malformed or has too many fields.") from exc
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise invalid_request(f"{name}: the parameter is repeated.")
        if value != "":
            form[name] = value
    return form


def parse_form(model: type[M], form: Mapping[str, str]) -> M:
    try:
        return model.model_validate(dict(form))
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in err["loc"]) or "body" for err in exc.errors()})
        raise invalid_request(f"Invalid parameter: {', '.join(fields)}.") from exc


@dataclass(frozen=True)
class PresentedClient:
    client_id: str
    client_secret: str
    method: Literal["client_secret_basic", "client_secret_post"]


@dataclass(frozen=True)
class PresentedCaller:
    """Who calls introspection or revocation: an OAuth client or a tenant API key."""

    client: PresentedClient | None = None
    api_key: str | None = None


def _basic(value: str) -> PresentedClient:
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidClient("The Basic credentials are malformed.") from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep or not client_id or not secret:
        raise InvalidClient("The Basic credentials are malformed.")
    # RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
    return PresentedClient(unquote_plus(client_id), unquote_plus(secret), "client_secret_basic")


def presented_caller(
    event: APIGatewayProxyEvent, form: Mapping[str, str], *, allow_api_key: bool
) -> PresentedCaller:
    """The one authentication method the request used; using two, or none, is refused."""
    authorization = (_header(event, "authorization") or "").strip()
    scheme, _, value = authorization.partition(" ")
    if authorization:
        if "client_secret" in form:
            raise invalid_request("Use exactly one client authentication method.")
        if scheme.lower() == "basic":
            client = _basic(value)
            if form.get("client_id", client.client_id) != client.client_id:
                raise invalid_request("client_id does not match the Basic credentials.")
            return PresentedCaller(client=client)
        if allow_api_key and scheme.lower() == "bearer" and value.strip().startswith(API_KEY_PREFIX):
            return PresentedCaller(api_key=value.strip())
        raise InvalidClient("Unsupported authentication scheme.")
    client_id, secret = form.get("client_id"), form.get("client_secret")
    if client_id and secret:
        return PresentedCaller(client=PresentedClient(client_id, secret, "client_secret_post"))
    raise InvalidClient("Client authentication is required.")


def optional_client(event: APIGatewayProxyEvent, form: Mapping[str, str]) -> PresentedClient | None:
    """The client authenticating at the token endpoint, or None when the request carries no credentials.

    A token exchange of an external ID token has no client: the subject token is the credential.
    """
    if not (_header(event, "authorization") or "").strip() and not form.get("client_secret"):
        return None
    return presented_client(event, form)


def presented_client(event: APIGatewayProxyEvent, form: Mapping[str, str]) -> PresentedClient:
    """The client authenticating at the token endpoint (an API key is not a client)."""
    client = presented_caller(event, form, allow_api_key=False).client
    if client is None:
        raise InvalidClient()
    return client

"""GitHub Actions OIDC: the job's ID token, requested from the runner's token endpoint.

A job with ``permissions: id-token: write`` has ``ACTIONS_ID_TOKEN_REQUEST_URL`` and
``ACTIONS_ID_TOKEN_REQUEST_TOKEN`` in its environment; a GET of that URL with ``audience=...``
and the request token as a bearer answers ``{"value": "<JWT>"}``, signed by
``https://token.actions.githubusercontent.com``. The trust policy pins its claims.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import httpx

from agentgate_client.errors import AgentGateError

URL_VARIABLE = "ACTIONS_ID_TOKEN_REQUEST_URL"
TOKEN_VARIABLE = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"


class NotInGitHubActions(AgentGateError):
    """No ID-token endpoint in the environment: not a GitHub Actions job, or no ``id-token: write``."""


def in_github_actions(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return bool(env.get(URL_VARIABLE) and env.get(TOKEN_VARIABLE))


def request_id_token(audience: str, environ: Mapping[str, str] | None = None, timeout: float = 30.0) -> str:
    """A fresh ID token for ``audience`` from the runner (each call mints a new one)."""
    env = os.environ if environ is None else environ
    url, bearer = env.get(URL_VARIABLE), env.get(TOKEN_VARIABLE)
    if not url or not bearer:
        raise NotInGitHubActions(
            f"{URL_VARIABLE} and {TOKEN_VARIABLE} are not set: give the job `permissions: id-token: write`"
        )
    try:
        reply = httpx.get(
            url, params={"audience": audience}, headers={"Authorization": f"Bearer {bearer}"}, timeout=timeout
        )
    except httpx.TransportError as exc:
        raise AgentGateError(f"the ID-token endpoint is unreachable: {exc!r}") from exc
    if reply.status_code != 200:
        raise AgentGateError(f"the ID-token endpoint answered {reply.status_code}: {reply.text[:200]}")
    value = reply.json().get("value")
    if not isinstance(value, str) or not value:
        raise AgentGateError("the ID-token endpoint answered no token")
    return value

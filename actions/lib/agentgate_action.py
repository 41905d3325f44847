"""The steps of the AgentGate GitHub Actions, in Python's standard library only (no pip install).

    python3 agentgate_action.py issue-token      # outputs agent-id, access-token, expires-at
    python3 agentgate_action.py register-agent   # also creates or updates the agent of its inputs

Inputs arrive as environment variables (``AGENTGATE_*``, set by ``action.yml``). The job's OIDC ID
token comes from ``ACTIONS_ID_TOKEN_REQUEST_URL`` with ``ACTIONS_ID_TOKEN_REQUEST_TOKEN`` (the job
needs ``permissions: id-token: write``) and is exchanged at ``POST /oauth2/token`` (RFC 8693) under
the tenant's trust policy; no secret is stored anywhere. The access token is masked
(``::add-mask::``) before anything else is printed and written to ``$GITHUB_OUTPUT``.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"
TIMEOUT_SECONDS = 30
USER_AGENT = "agentgate-github-action/0.1.0"


class ActionError(Exception):
    """A failure the job's log should show as one annotated line."""


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _request(method: str, url: str, *, headers: dict[str, str], body: bytes | None = None) -> tuple[int, Any]:
    if urllib.parse.urlsplit(url).scheme not in ("https", "http"):
        raise ActionError(f"{url!r} is not an http(s) URL")
    headers = {"User-Agent": USER_AGENT, **headers}
    request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310 - checked above
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as reply:  # noqa: S310 - checked above
            status, raw = reply.status, reply.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except (urllib.error.URLError, TimeoutError) as error:
        raise ActionError(f"{method} {url}: {error}") from error
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode(errors="replace")


def _describe(body: Any) -> str:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        return f"{error.get('code')}: {error.get('message')}"
    if isinstance(body, dict) and "error" in body:
        return f"{body['error']}: {body.get('error_description', '')}"
    return str(body)[:300]


def mask(value: str) -> None:
    print(f"::add-mask::{value}", flush=True)


def set_output(name: str, value: str) -> None:
    path = _env("GITHUB_OUTPUT")
    if not path:
        raise ActionError("GITHUB_OUTPUT is not set: run this inside a GitHub Actions step")
    with open(path, "a", encoding="utf-8") as handle:
        if "\n" in value:
            delimiter = f"ghadelimiter_{uuid.uuid4().hex}"
            handle.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
        else:
            handle.write(f"{name}={value}\n")


def request_id_token(audience: str) -> str:
    """The job's OIDC ID token for ``audience``, from the runner's token endpoint."""
    url, bearer = _env("ACTIONS_ID_TOKEN_REQUEST_URL"), _env("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
    if not url or not bearer:
        raise ActionError(
            "no OIDC token endpoint: give the job `permissions: id-token: write` "
            "(ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are unset)"
        )
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.urlencode([*urllib.parse.parse_qsl(parts.query), ("audience", audience)])
    status, body = _request(
        "GET", parts._replace(query=query).geturl(), headers={"Authorization": f"Bearer {bearer}"}
    )
    if status != 200 or not isinstance(body, dict) or not body.get("value"):
        raise ActionError(f"the OIDC token endpoint answered {status}: {_describe(body)}")
    token = str(body["value"])
    mask(token)
    return token


def exchange(api: str, subject_token: str, scope: str, resource: str) -> dict[str, Any]:
    """RFC 8693 token exchange: the ID token for an agent access token."""
    form = {"grant_type": TOKEN_EXCHANGE, "subject_token": subject_token, "subject_token_type": ID_TOKEN_TYPE}
    if scope:
        form["scope"] = scope
    if resource:
        form["resource"] = resource
    status, body = _request(
        "POST",
        f"{api}/oauth2/token",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        body=urllib.parse.urlencode(form).encode(),
    )
    if status != 200 or not isinstance(body, dict) or "access_token" not in body:
        hint = " (is there a trust policy for this repository and audience?)" if status in (400, 401) else ""
        raise ActionError(f"the token exchange was refused with {status}: {_describe(body)}{hint}")
    mask(str(body["access_token"]))
    return body


def jwt_claims(token: str) -> dict[str, Any]:
    """The claims of a JWT, unverified: only to read the agent id the server put in ``sub``."""
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))  # type: ignore[no-any-return]
    except (IndexError, ValueError):
        return {}


def _rfc3339(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def issue_token(agent_id_output: bool = True) -> dict[str, Any]:
    api = _env("AGENTGATE_URL").rstrip("/")
    if not api:
        raise ActionError("the `url` input is required")
    audience = _env("AGENTGATE_AUDIENCE") or "agentgate"
    issued = exchange(api, request_id_token(audience), _env("AGENTGATE_SCOPE"), _env("AGENTGATE_RESOURCE"))
    claims = jwt_claims(str(issued["access_token"]))
    agent_id = str(issued.get("agent_id") or claims.get("agent_id") or claims.get("sub") or "")
    expires_at = claims.get("exp") or time.time() + int(issued.get("expires_in") or 0)
    set_output("access-token", str(issued["access_token"]))
    if agent_id_output:
        set_output("agent-id", agent_id)
    set_output("expires-at", _rfc3339(float(expires_at)))
    set_output("scope", str(issued.get("scope") or claims.get("scope") or ""))
    print(f"AgentGate token for agent {agent_id}, expires {_rfc3339(float(expires_at))}", flush=True)
    return {"api": api, "token": str(issued["access_token"]), "agent_id": agent_id}


def _words(value: str) -> list[str]:
    return [w for w in value.replace(",", " ").split() if w]


def agent_fields() -> dict[str, Any]:
    """The agent the inputs describe (only the inputs given)."""
    fields: dict[str, Any] = {}
    for name in ("description", "type", "provider", "environment", "team"):
        value = _env(f"AGENTGATE_AGENT_{name.upper()}")
        if value:
            fields[name] = value
    for name in ("tags", "scopes"):
        value = _env(f"AGENTGATE_AGENT_{name.upper()}")
        if value:
            fields[name] = _words(value)
    return fields


def _find_agent(api: str, headers: dict[str, str], name: str) -> dict[str, Any] | None:
    cursor = ""
    while True:
        query = urllib.parse.urlencode({"limit": 200, **({"cursor": cursor} if cursor else {})})
        status, body = _request("GET", f"{api}/api/v1/agents?{query}", headers=headers)
        if status != 200 or not isinstance(body, dict):
            raise ActionError(f"listing agents answered {status}: {_describe(body)}")
        for agent in body.get("items") or []:
            if agent.get("name") == name:
                return agent  # type: ignore[no-any-return]
        cursor = body.get("next_cursor") or ""
        if not cursor:
            return None


def register_agent() -> None:
    name = _env("AGENTGATE_AGENT_NAME")
    if not name:
        raise ActionError("the `name` input is required")
    if not _env("AGENTGATE_SCOPE"):
        os.environ["AGENTGATE_SCOPE"] = "agents:read agents:write"
    session = issue_token(agent_id_output=False)  # agent-id is the registered agent's
    api = session["api"]
    headers = {"Authorization": f"Bearer {session['token']}", "Content-Type": "application/json"}
    fields = agent_fields()
    existing = _find_agent(api, headers, name)
    if existing is None:
        status, body = _request(
            "POST",
            f"{api}/api/v1/agents",
            headers=headers,
            body=json.dumps({"name": name, **fields}).encode(),
        )
        expected, verb = 201, "created"
    else:
        path = f"{api}/api/v1/agents/{existing['id']}"
        status, body = _request("PATCH", path, headers=headers, body=json.dumps(fields).encode())
        expected, verb = 200, "updated"
    if status != expected or not isinstance(body, dict):
        raise ActionError(f"registering agent {name!r} answered {status}: {_describe(body)}")
    set_output("agent-id", str(body["id"]))
    set_output("created", "true" if verb == "created" else "false")
    print(f"AgentGate agent {name!r} {verb}: {body['id']}", flush=True)


COMMANDS = {"issue-token": issue_token, "register-agent": register_agent}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in COMMANDS:
        print(f"usage: agentgate_action.py {'|'.join(COMMANDS)}", file=sys.stderr)
        return 2
    try:
        COMMANDS[argv[0]]()
    except ActionError as error:
        print(f"::error title=AgentGate::{error}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

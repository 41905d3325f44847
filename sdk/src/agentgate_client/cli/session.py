"""The CLI's per-invocation state: the output format and the clients built from the login."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import httpx

from agentgate_client.cli import config
from agentgate_client.cli.output import Exit, Format, fail
from agentgate_client.client import AgentGateAdmin
from agentgate_client.errors import error_for


@dataclass
class Session:
    output: Format = Format.table
    url_override: str | None = None
    _login: config.Login | None = field(default=None, repr=False)

    def login(self) -> config.Login:
        if self._login is None:
            self._login = config.load()
            if self.url_override:
                self._login.url = self.url_override.rstrip("/")
        return self._login

    @property
    def url(self) -> str:
        return self.login().url

    def admin(self) -> AgentGateAdmin:
        """A client with the stored API key or person's token (renewed with the refresh token)."""
        login = self.login()
        if login.api_key:
            return AgentGateAdmin(login.url, api_key=login.api_key)
        if login.access_token:
            if login.expired():
                self._refresh(login)
            return AgentGateAdmin(login.url, token=login.access_token)
        fail("not logged in: run `agentgate login` or set AGENTGATE_API_KEY", Exit.AUTH)

    def _refresh(self, login: config.Login) -> None:
        if not login.refresh_token:
            fail("the stored login has expired: run `agentgate login` again", Exit.AUTH)
        reply = httpx.post(
            f"{login.url}/api/v1/auth/refresh-token", json={"refresh_token": login.refresh_token}, timeout=30
        )
        if reply.status_code != 200:
            error = error_for(reply.status_code, reply.json() if reply.content else None)
            fail(f"the stored login could not be renewed ({error.code}): run `agentgate login`", Exit.AUTH)
        tokens = reply.json()["tokens"]
        login.access_token = tokens["access_token"]
        login.refresh_token = tokens.get("refresh_token") or login.refresh_token
        login.expires_at = time.time() + int(tokens.get("expires_in") or 3600)
        config.save(login)

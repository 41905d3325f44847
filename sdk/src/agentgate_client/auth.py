"""Agent access tokens: fetched from ``POST /oauth2/token``, cached, renewed before they expire.

``ClientCredentials`` is thread-safe and coroutine-safe: however many threads (or tasks) find
the token stale at once, one of them fetches and the others wait for its result. A 401 from the
API renews the token once (``renew_after_rejection``), unless another caller already did.
``TokenExchange`` does the same for RFC 8693 token exchange (an OIDC ID token for an agent token).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from agentgate_client.errors import TransportError
from agentgate_client.transport import RetryPolicy, _raise_for, parse_retry_after

TOKEN_PATH = "/oauth2/token"
TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"
JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt"


@dataclass(frozen=True)
class AccessToken:
    """A token and when it stops being usable (monotonic clock and wall clock)."""

    value: str
    expires_in: int
    scope: str
    obtained_at: float  # time.monotonic()
    expires_at_epoch: float  # time.time() + expires_in

    def fresh(self, now: float | None = None) -> bool:
        """Still usable beyond the renewal margin: 10 % of its life, between 5 and 60 seconds."""
        margin = max(5.0, min(60.0, self.expires_in * 0.1))
        return (now if now is not None else time.monotonic()) < self.obtained_at + self.expires_in - margin


def _token_from(reply: httpx.Response) -> AccessToken:
    if reply.status_code != 200:
        _raise_for(reply)
    body = reply.json()
    expires_in = int(body.get("expires_in") or 300)
    return AccessToken(
        value=str(body["access_token"]),
        expires_in=expires_in,
        scope=str(body.get("scope") or ""),
        obtained_at=time.monotonic(),
        expires_at_epoch=time.time() + expires_in,
    )


class _CachedToken:
    """The cache and its renewal, over a form to post to the token endpoint."""

    def __init__(
        self,
        base_url: str,
        form: Callable[[], dict[str, str]],
        auth: tuple[str, str] | None,
        *,
        timeout: float,
        retry: RetryPolicy | None,
    ) -> None:
        self.token_url = base_url.rstrip("/") + TOKEN_PATH
        self._form = form
        self._auth = auth
        self._timeout = timeout
        self._retry = retry or RetryPolicy()
        self._token: AccessToken | None = None
        self._lock = threading.Lock()
        self._async_locks: dict[int, asyncio.Lock] = {}
        self.fetches = 0  # how many times the endpoint was asked (the tests count refreshes)

    # -- sync -----------------------------------------------------------------------------
    def token(self) -> AccessToken:
        """The current token, fetched or renewed first when it is missing or about to expire."""
        current = self._token
        if current is not None and current.fresh():
            return current
        with self._lock:
            current = self._token
            if current is not None and current.fresh():
                return current  # another thread renewed it while this one waited
            self._token = self._fetch()
            return self._token

    def header(self) -> str | None:
        return f"Bearer {self.token().value}"

    def renew_after_rejection(self, rejected: str | None) -> bool:
        """A 401 for ``rejected``: drop that token (not a newer one) so the next call fetches."""
        with self._lock:
            if self._token is not None and rejected == f"Bearer {self._token.value}":
                self._token = None
        return True

    def _fetch(self) -> AccessToken:
        try:
            with httpx.Client(timeout=self._timeout) as http:
                for attempt in range(self._retry.max_retries + 1):
                    reply = http.post(self.token_url, data=self._form(), auth=self._auth)
                    if reply.status_code not in (429, 503) or attempt == self._retry.max_retries:
                        break
                    retry_after = parse_retry_after(reply.headers.get("Retry-After"))
                    time.sleep(self._retry.delay(attempt, retry_after))
        except httpx.TransportError as exc:
            raise TransportError(f"POST {self.token_url}: {exc!r}") from exc
        self.fetches += 1
        return _token_from(reply)

    # -- async ----------------------------------------------------------------------------
    async def token_async(self) -> AccessToken:
        current = self._token
        if current is not None and current.fresh():
            return current
        loop_id = id(asyncio.get_running_loop())
        lock = self._async_locks.setdefault(loop_id, asyncio.Lock())
        async with lock:
            current = self._token
            if current is not None and current.fresh():
                return current
            try:
                async with httpx.AsyncClient(timeout=self._timeout) as http:
                    for attempt in range(self._retry.max_retries + 1):
                        reply = await http.post(self.token_url, data=self._form(), auth=self._auth)
                        if reply.status_code not in (429, 503) or attempt == self._retry.max_retries:
                            break
                        retry_after = parse_retry_after(reply.headers.get("Retry-After"))
                        await asyncio.sleep(self._retry.delay(attempt, retry_after))
            except httpx.TransportError as exc:
                raise TransportError(f"POST {self.token_url}: {exc!r}") from exc
            token = _token_from(reply)
            with self._lock:
                self.fetches += 1
                self._token = token
            return token

    async def header_async(self) -> str | None:
        return f"Bearer {(await self.token_async()).value}"


class ClientCredentials(_CachedToken):
    """OAuth 2.0 client credentials (``client_secret_basic``) for one agent."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        scope: str | None = None,
        audience: str | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        def form() -> dict[str, str]:
            fields = {"grant_type": "client_credentials"}
            if scope:
                fields["scope"] = scope
            if audience:
                fields["audience"] = audience
            return fields

        super().__init__(base_url, form, (client_id, client_secret), timeout=timeout, retry=retry)
        self.client_id = client_id


class TokenExchange(_CachedToken):
    """RFC 8693: trade an OIDC ID token (GitHub Actions, any trusted issuer) for an agent token.

    ``subject_token`` is called for every exchange, so a provider that mints a fresh ID token
    each time (GitHub's endpoint does) keeps working past the first token's expiry; the server
    accepts each ID token's ``jti`` once.
    """

    def __init__(
        self,
        base_url: str,
        subject_token: Callable[[], str],
        *,
        subject_token_type: str = ID_TOKEN_TYPE,
        scope: str | None = None,
        resource: str | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        def form() -> dict[str, str]:
            fields = {
                "grant_type": TOKEN_EXCHANGE_GRANT,
                "subject_token": subject_token(),
                "subject_token_type": subject_token_type,
            }
            if scope:
                fields["scope"] = scope
            if resource:
                fields["resource"] = resource
            return fields

        super().__init__(base_url, form, None, timeout=timeout, retry=retry)

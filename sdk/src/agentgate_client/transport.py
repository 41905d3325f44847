"""HTTP with the API's rules: a bearer credential on every call, one retry of a 401 after a token
refresh, 429 and 503 retried after ``Retry-After`` or a jittered exponential backoff (bounded), and
error replies raised as typed exceptions. One sync and one async transport share the rules."""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from agentgate_client.errors import TransportError, error_for

USER_AGENT = "agentgate-client/0.1.0"
RETRIED_STATUSES = frozenset({429, 503})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "PUT"})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a throttled (429) or unavailable (503) reply.

    The delay before retry ``n`` (0-based) is the server's ``Retry-After`` when it sends one
    (capped at ``max_retry_after``), else a full-jitter backoff: uniform in
    ``[0, min(max_delay, base_delay * 2**n)]``. A transport error (connection refused, timeout)
    is retried the same way for idempotent methods and for requests marked ``idempotent``
    (ingestion is: the server deduplicates by ``run_id``).
    """

    max_retries: int = 4
    base_delay: float = 0.25
    max_delay: float = 8.0
    max_retry_after: float = 60.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        if retry_after is not None:
            # A little jitter on top keeps many clients told "1 second" from returning together.
            return min(retry_after, self.max_retry_after) + random.uniform(0, self.base_delay)  # noqa: S311
        return random.uniform(0, min(self.max_delay, self.base_delay * (2**attempt)))  # noqa: S311


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date (RFC 9110 section 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class Credential(Protocol):
    """What puts ``Authorization`` on a request and, on a 401, may renew itself once."""

    def header(self) -> str | None: ...

    def renew_after_rejection(self, rejected: str | None) -> bool: ...


class AsyncCredential(Credential, Protocol):
    async def header_async(self) -> str | None: ...


class NoCredential:
    def header(self) -> str | None:
        return None

    async def header_async(self) -> str | None:
        return None

    def renew_after_rejection(self, rejected: str | None) -> bool:
        return False


class StaticBearer:
    """An API key (``agk_...``) or a token obtained elsewhere: sent as is, never renewed."""

    def __init__(self, token: str) -> None:
        self._value = f"Bearer {token}"

    def header(self) -> str | None:
        return self._value

    async def header_async(self) -> str | None:
        return self._value

    def renew_after_rejection(self, rejected: str | None) -> bool:
        return False


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def _raise_for(response: httpx.Response) -> None:
    raise error_for(
        response.status_code, _body(response), parse_retry_after(response.headers.get("Retry-After"))
    )


def _headers(extra: Mapping[str, str] | None, authorization: str | None) -> dict[str, str]:
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json", **(extra or {})}
    if authorization:
        headers["Authorization"] = authorization
    return headers


def _should_retry_error(method: str, idempotent: bool) -> bool:
    return idempotent or method.upper() in IDEMPOTENT_METHODS


class SyncTransport:
    """Sends requests with ``httpx.Client``; thread-safe (httpx's client is)."""

    def __init__(
        self,
        base_url: str,
        credential: Credential | None = None,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credential: Credential = credential or NoCredential()
        self.retry = retry or RetryPolicy()
        self.http = http or httpx.Client(base_url=self.base_url, timeout=timeout)

    def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        data: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = False,
        raise_for_status: bool = True,
        retry: RetryPolicy | None = None,
    ) -> httpx.Response:
        """One API call with the retry rules; returns the response or raises the typed error."""
        policy = retry or self.retry
        query = {k: v for k, v in (params or {}).items() if v is not None}
        renewed = False
        attempt = 0
        while True:
            authorization = self.credential.header()
            try:
                response = self.http.request(
                    method,
                    path,
                    json=json,
                    content=content,
                    data=data,
                    params=query,
                    headers=_headers(headers, authorization),
                )
            except httpx.TransportError as exc:
                if attempt < policy.max_retries and _should_retry_error(method, idempotent):
                    time.sleep(policy.delay(attempt))
                    attempt += 1
                    continue
                raise TransportError(f"{method} {self.base_url}{path}: {exc!r}") from exc
            if (
                response.status_code == 401
                and not renewed
                and self.credential.renew_after_rejection(authorization)
            ):
                renewed = True
                continue
            if response.status_code in RETRIED_STATUSES and attempt < policy.max_retries:
                time.sleep(policy.delay(attempt, parse_retry_after(response.headers.get("Retry-After"))))
                attempt += 1
                continue
            if raise_for_status and response.status_code >= 400:
                _raise_for(response)
            return response

    def close(self) -> None:
        self.http.close()


class AsyncTransport:
    """The same rules with ``httpx.AsyncClient``."""

    def __init__(
        self,
        base_url: str,
        credential: AsyncCredential | None = None,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credential: AsyncCredential = credential or NoCredential()
        self.retry = retry or RetryPolicy()
        self.http = http or httpx.AsyncClient(base_url=self.base_url, timeout=timeout)

    async def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        data: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = False,
        raise_for_status: bool = True,
        retry: RetryPolicy | None = None,
    ) -> httpx.Response:
        policy = retry or self.retry
        query = {k: v for k, v in (params or {}).items() if v is not None}
        renewed = False
        attempt = 0
        while True:
            authorization = await self.credential.header_async()
            try:
                response = await self.http.request(
                    method,
                    path,
                    json=json,
                    content=content,
                    data=data,
                    params=query,
                    headers=_headers(headers, authorization),
                )
            except httpx.TransportError as exc:
                if attempt < policy.max_retries and _should_retry_error(method, idempotent):
                    await asyncio.sleep(policy.delay(attempt))
                    attempt += 1
                    continue
                raise TransportError(f"{method} {self.base_url}{path}: {exc!r}") from exc
            if (
                response.status_code == 401
                and not renewed
                and self.credential.renew_after_rejection(authorization)
            ):
                renewed = True
                continue
            if response.status_code in RETRIED_STATUSES and attempt < policy.max_retries:
                await asyncio.sleep(
                    policy.delay(attempt, parse_retry_after(response.headers.get("Retry-After")))
                )
                attempt += 1
                continue
            if raise_for_status and response.status_code >= 400:
                _raise_for(response)
            return response

    async def aclose(self) -> None:
        await self.http.aclose()

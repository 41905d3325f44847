"""The asynchronous clients: ``AsyncAgentGate`` and ``AsyncAgentGateAdmin`` (httpx.AsyncClient).

API calls are coroutines. Recording runs stays a plain, non-blocking call: the runs go to the
same background sender thread as the sync client's (it never runs on the event loop), sharing
the client's token cache.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

import httpx

from agentgate_client import models as m
from agentgate_client import resources as r
from agentgate_client.auth import ClientCredentials
from agentgate_client.client import (
    DEFAULT_APPROVAL_TIMEOUT,
    ApprovalPoll,
    authorize_body,
    check_approval,
    check_decision,
    parse,
)
from agentgate_client.errors import ApprovalTimeout, Denied
from agentgate_client.ingestion import IngestionWorker, OverflowPolicy
from agentgate_client.runs import RunContext, Runs, track
from agentgate_client.transport import (
    AsyncCredential,
    AsyncTransport,
    RetryPolicy,
    StaticBearer,
    SyncTransport,
)

F = TypeVar("F", bound=Callable[..., Any])


class _AsyncExecutor:
    def __init__(self, transport: AsyncTransport) -> None:
        self.transport = transport

    async def call(
        self,
        method: str,
        path: str,
        model: type[Any] | None = None,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        return parse(await self.transport.send(method, path, json=json, params=params), model)


class AsyncAgentGate:
    """``AgentGate`` for asyncio code: ``await client.authorize(...)``, ``await client.guard(...)``."""

    def __init__(
        self,
        base_url: str,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        scope: str | None = None,
        audience: str | None = None,
        token: str | None = None,
        credential: AsyncCredential | None = None,
        agent_id: str | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        flush_interval: float = 1.0,
        max_queue_size: int = 10_000,
        max_queue_bytes: int = 64 * 1024 * 1024,
        overflow: OverflowPolicy = "drop_newest",
        shutdown_timeout: float = 10.0,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        if credential is None:
            if token is not None:
                credential = StaticBearer(token)
            elif client_id and client_secret:
                credential = ClientCredentials(
                    base_url,
                    client_id,
                    client_secret,
                    scope=scope,
                    audience=audience,
                    timeout=timeout,
                    retry=retry,
                )
            else:
                raise ValueError("AsyncAgentGate needs client_id and client_secret, token= or credential=")
        self.credential = credential
        self.transport = AsyncTransport(base_url, credential, timeout=timeout, retry=retry, http=http)
        self._api = _AsyncExecutor(self.transport)
        self._sender = SyncTransport(base_url, credential, timeout=timeout, retry=retry)
        self.worker = IngestionWorker(
            self._sender,
            flush_interval=flush_interval,
            max_queue_size=max_queue_size,
            max_queue_bytes=max_queue_bytes,
            overflow=overflow,
            shutdown_timeout=shutdown_timeout,
        )
        self.runs = Runs(self.worker, agent_id)

    async def access_token(self) -> str:
        return (await self.credential.header_async() or "").removeprefix("Bearer ")

    def run(self, run_id: str | None = None, **fields: Any) -> RunContext:
        """``async with client.run(...) as run:`` (or plain ``with``)."""
        return RunContext(self.runs, run_id, **fields)

    def track(self, func: F | None = None, **options: Any) -> Any:
        return track(self.runs, func, **options)

    async def flush(self, timeout: float | None = None) -> bool:
        """Wait (in a worker thread, not on the loop) until every recorded run is delivered."""
        return await asyncio.to_thread(self.worker.flush, timeout)

    async def authorize(
        self,
        action: str,
        *,
        resource: str | None = None,
        context: dict[str, Any] | None = None,
        estimated_cost_usd: Any = None,
    ) -> m.AuthorizeDecision:
        """Ask whether this agent may do ``action`` (see ``AgentGate.authorize``)."""
        body = authorize_body(action, resource, context, estimated_cost_usd)
        return await self._api.call("POST", "/api/v1/authorize", m.AuthorizeDecision, json=body)  # type: ignore[no-any-return]

    async def get_approval(self, approval_id: str) -> m.Approval:
        """One approval this agent requested (see ``AgentGate.get_approval``)."""
        return await self._api.call("GET", f"/api/v1/approvals/{approval_id}", m.Approval)  # type: ignore[no-any-return]

    async def wait_for_approval(
        self,
        approval_id: str,
        timeout: float = DEFAULT_APPROVAL_TIMEOUT,
        *,
        poll_interval: float = 1.0,
        max_poll_interval: float = 15.0,
    ) -> m.Approval:
        """Poll until the approval is decided (see ``AgentGate.wait_for_approval``)."""
        poll = ApprovalPoll(timeout, poll_interval, max_poll_interval)
        while True:
            approval = await self.get_approval(approval_id)
            if approval.status != "pending":
                return approval
            sleep = poll.next_sleep()
            if sleep is None:
                raise ApprovalTimeout(approval_id, poll.waited())
            await asyncio.sleep(sleep)

    async def guard(
        self,
        action: str,
        *,
        resource: str | None = None,
        context: dict[str, Any] | None = None,
        estimated_cost_usd: Any = None,
        wait: bool = True,
        timeout: float = DEFAULT_APPROVAL_TIMEOUT,
    ) -> m.AuthorizeDecision:
        """Authorize or raise ``Denied``, waiting for a pending approval (see ``AgentGate.guard``)."""
        decision = await self.authorize(
            action, resource=resource, context=context, estimated_cost_usd=estimated_cost_usd
        )
        check_decision(action, decision)
        if decision.decision == "pending":
            if not wait or not decision.approval_id:
                raise Denied(action, "pending", list(decision.reasons))
            check_approval(action, decision, await self.wait_for_approval(decision.approval_id, timeout))
        return decision

    def guarded(self, action: str, **options: Any) -> Callable[[F], F]:
        """``@client.guarded("deploy")`` on an ``async def``."""

        def decorate(func: F) -> F:
            @functools.wraps(func)
            async def wrapper(*args: Any, **kwargs: Any) -> Any:
                await self.guard(action, **options)
                return await func(*args, **kwargs)

            return wrapper  # type: ignore[return-value]

        return decorate

    async def aclose(self, timeout: float | None = None) -> bool:
        """Flush the runs (off the event loop) and release connections."""
        delivered = await asyncio.to_thread(self.worker.close, timeout)
        self._sender.close()
        await self.transport.aclose()
        return delivered

    async def __aenter__(self) -> AsyncAgentGate:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


class AsyncAgentGateAdmin:
    """``AgentGateAdmin`` for asyncio code: every group method returns an awaitable."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        token: str | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        secret = api_key or token
        if not secret:
            raise ValueError("AsyncAgentGateAdmin needs api_key= (agk_...) or token=")
        self.transport = AsyncTransport(
            base_url, StaticBearer(secret), timeout=timeout, retry=retry, http=http
        )
        api = _AsyncExecutor(self.transport)
        self._api = api
        self.agents = r.Agents(api)
        self.credentials = r.Credentials(api)
        self.budgets = r.Budgets(api)
        self.policies = r.Policies(api)
        self.approvals = r.Approvals(api)
        self.runs = r.RunsAdmin(api)
        self.costs = r.Costs(api)
        self.audit = r.Audit(api)
        self.webhooks = r.Webhooks(api)
        self.trust_policies = r.TrustPolicies(api)
        self.emergency = r.Emergency(api)

    async def request(
        self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None
    ) -> Any:
        return await self._api.call(method, path, None, json=json, params=params)

    async def aclose(self) -> None:
        await self.transport.aclose()

    async def __aenter__(self) -> AsyncAgentGateAdmin:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

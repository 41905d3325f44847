"""The synchronous clients: ``AgentGate`` for agents, ``AgentGateAdmin`` for automation."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from decimal import Decimal
from types import TracebackType
from typing import Any, TypeVar

import httpx

from agentgate_client import models as m
from agentgate_client import resources as r
from agentgate_client.auth import ClientCredentials, TokenExchange
from agentgate_client.errors import ApprovalTimeout, Denied
from agentgate_client.ingestion import IngestionWorker, OverflowPolicy
from agentgate_client.runs import RunContext, Runs, track
from agentgate_client.transport import Credential, RetryPolicy, StaticBearer, SyncTransport

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_APPROVAL_TIMEOUT = 300.0


def parse(response: httpx.Response, model: type[Any] | None) -> Any:
    """The typed answer: the model, the raw JSON without one, None for an empty reply."""
    if response.status_code == 204 or not response.content:
        return None
    body = response.json()
    return model.model_validate(body) if model is not None else body


class _SyncExecutor:
    def __init__(self, transport: SyncTransport) -> None:
        self.transport = transport

    def call(
        self,
        method: str,
        path: str,
        model: type[Any] | None = None,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        return parse(self.transport.send(method, path, json=json, params=params), model)


def authorize_body(
    action: str, resource: str | None, context: dict[str, Any] | None, estimated_cost_usd: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"action": action}
    if resource is not None:
        body["resource"] = resource
    if context:
        body["context"] = context
    if estimated_cost_usd is not None:
        body["estimated_cost_usd"] = str(Decimal(str(estimated_cost_usd)))
    return body


class ApprovalPoll:
    """When ``wait_for_approval`` polls: first after ``interval``, then 1.5x longer up to ``max_interval``."""

    def __init__(self, timeout: float, interval: float, max_interval: float) -> None:
        self.deadline = time.monotonic() + timeout
        self.started = time.monotonic()
        self.interval = interval
        self.max_interval = max_interval

    def next_sleep(self) -> float | None:
        """Seconds to sleep before the next poll; None once the timeout has passed."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            return None
        sleep = min(self.interval, remaining)
        self.interval = min(self.interval * 1.5, self.max_interval)
        return sleep

    def waited(self) -> float:
        return time.monotonic() - self.started


def check_decision(action: str, decision: m.AuthorizeDecision) -> None:
    if decision.decision == "deny":
        raise Denied(action, "deny", list(decision.reasons))


def check_approval(action: str, decision: m.AuthorizeDecision, approval: m.Approval) -> None:
    if approval.status != "approved":
        raise Denied(action, approval.status, list(decision.reasons), approval)


class AgentGate:
    """The client an agent uses: its token, run ingestion in the background, governance.

    ``AgentGate(base_url, client_id, client_secret)`` authenticates with client credentials; the
    token is cached and renewed before it expires, by one thread at a time, and a 401 is retried
    once after a renewal. ``token=`` uses a token obtained elsewhere; ``credential=`` any object
    with the ``Credential`` protocol (for instance ``TokenExchange`` for GitHub Actions OIDC).

    Runs recorded with ``runs.record``, ``run()`` or ``track`` are queued and sent by a
    background thread (``agentgate_client.ingestion``); ``flush()`` waits for them, ``close()``
    (or leaving ``with AgentGate(...)``, or interpreter exit) flushes and stops it.
    """

    def __init__(
        self,
        base_url: str,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        scope: str | None = None,
        audience: str | None = None,
        token: str | None = None,
        credential: Credential | None = None,
        agent_id: str | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        flush_interval: float = 1.0,
        max_queue_size: int = 10_000,
        max_queue_bytes: int = 64 * 1024 * 1024,
        overflow: OverflowPolicy = "drop_newest",
        shutdown_timeout: float = 10.0,
        http: httpx.Client | None = None,
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
                raise ValueError("AgentGate needs client_id and client_secret, token= or credential=")
        self.credential = credential
        self.transport = SyncTransport(base_url, credential, timeout=timeout, retry=retry, http=http)
        self._api = _SyncExecutor(self.transport)
        self.worker = IngestionWorker(
            self.transport,
            flush_interval=flush_interval,
            max_queue_size=max_queue_size,
            max_queue_bytes=max_queue_bytes,
            overflow=overflow,
            shutdown_timeout=shutdown_timeout,
        )
        self.runs = Runs(self.worker, agent_id)

    @classmethod
    def from_github_actions(
        cls, base_url: str, audience: str, *, scope: str | None = None, **options: Any
    ) -> AgentGate:
        """Inside a GitHub Actions job with ``id-token: write``: exchange the job's OIDC token."""
        from agentgate_client.github import request_id_token

        exchange = TokenExchange(base_url, lambda: request_id_token(audience), scope=scope)
        return cls(base_url, credential=exchange, **options)

    # -- identity -----------------------------------------------------------------------------
    def access_token(self) -> str:
        """The current access token (fetched or renewed if needed)."""
        header = self.credential.header() or ""
        return header.removeprefix("Bearer ")

    # -- runs ---------------------------------------------------------------------------------
    def run(self, run_id: str | None = None, **fields: Any) -> RunContext:
        """``with client.run(model="gpt-4o") as run:`` times a run, collects events and usage, queues it."""
        return RunContext(self.runs, run_id, **fields)

    def track(self, func: F | None = None, **options: Any) -> Any:
        """``@client.track`` records each call of the function as a run (see ``runs.track``)."""
        return track(self.runs, func, **options)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every recorded run is delivered; True when none are left."""
        return self.worker.flush(timeout)

    # -- governance ---------------------------------------------------------------------------
    def authorize(
        self,
        action: str,
        *,
        resource: str | None = None,
        context: dict[str, Any] | None = None,
        estimated_cost_usd: Any = None,
    ) -> m.AuthorizeDecision:
        """Ask whether this agent may do ``action``: ``decision`` is allow, deny or pending
        (then ``approval_id`` names the approval to wait for); ``reasons`` say why."""
        body = authorize_body(action, resource, context, estimated_cost_usd)
        return self._api.call("POST", "/api/v1/authorize", m.AuthorizeDecision, json=body)  # type: ignore[no-any-return]

    def get_approval(self, approval_id: str) -> m.Approval:
        """One approval this agent requested: ``status`` pending, approved, rejected or expired."""
        return self._api.call("GET", f"/api/v1/approvals/{approval_id}", m.Approval)  # type: ignore[no-any-return]

    def wait_for_approval(
        self,
        approval_id: str,
        timeout: float = DEFAULT_APPROVAL_TIMEOUT,
        *,
        poll_interval: float = 1.0,
        max_poll_interval: float = 15.0,
    ) -> m.Approval:
        """Poll the approval (backing off 1.5x per poll up to ``max_poll_interval``) until it is
        decided or expires; return it. Raises ``ApprovalTimeout`` when still pending after ``timeout``."""
        poll = ApprovalPoll(timeout, poll_interval, max_poll_interval)
        while True:
            approval = self.get_approval(approval_id)
            if approval.status != "pending":
                return approval
            sleep = poll.next_sleep()
            if sleep is None:
                raise ApprovalTimeout(approval_id, poll.waited())
            time.sleep(sleep)

    def guard(
        self,
        action: str,
        *,
        resource: str | None = None,
        context: dict[str, Any] | None = None,
        estimated_cost_usd: Any = None,
        wait: bool = True,
        timeout: float = DEFAULT_APPROVAL_TIMEOUT,
    ) -> m.AuthorizeDecision:
        """Authorize ``action`` or raise: ``Denied`` on deny, on a rejected or expired approval,
        or on pending with ``wait=False``; waits for a pending approval otherwise."""
        decision = self.authorize(
            action, resource=resource, context=context, estimated_cost_usd=estimated_cost_usd
        )
        check_decision(action, decision)
        if decision.decision == "pending":
            if not wait or not decision.approval_id:
                raise Denied(action, "pending", list(decision.reasons))
            check_approval(action, decision, self.wait_for_approval(decision.approval_id, timeout))
        return decision

    def guarded(self, action: str, **options: Any) -> Callable[[F], F]:
        """``@client.guarded("deploy")``: every call is authorized first (see ``guard``)."""

        def decorate(func: F) -> F:
            @functools.wraps(func)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                self.guard(action, **options)
                return func(*args, **kwargs)

            return wrapper  # type: ignore[return-value]

        return decorate

    # -- lifecycle ----------------------------------------------------------------------------
    def close(self, timeout: float | None = None) -> bool:
        """Flush the runs (up to ``timeout``, default ``shutdown_timeout``) and release connections."""
        delivered = self.worker.close(timeout)
        self.transport.close()
        return delivered

    def __enter__(self) -> AgentGate:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AgentGateAdmin:
    """The automation client (a tenant API key ``agk_...`` or a user's access token).

    Groups follow the API: ``agents``, ``credentials``, ``budgets``, ``policies``, ``approvals``,
    ``runs``, ``costs``, ``audit``, ``webhooks``, ``trust_policies``, ``emergency``.
    ``iterate(admin.agents.list)`` walks every page.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        token: str | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        secret = api_key or token
        if not secret:
            raise ValueError("AgentGateAdmin needs api_key= (agk_...) or token= (a user's access token)")
        self.transport = SyncTransport(
            base_url, StaticBearer(secret), timeout=timeout, retry=retry, http=http
        )
        api = _SyncExecutor(self.transport)
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

    def request(
        self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None
    ) -> Any:
        """Any other route of the API, with the same auth, retries and errors; answers JSON."""
        return self._api.call(method, path, None, json=json, params=params)

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> AgentGateAdmin:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

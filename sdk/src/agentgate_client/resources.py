"""The automation API, one group per resource (``admin.agents``, ``admin.budgets``, ...).

Each method describes one call of the contract; the client it belongs to executes it. On
``AgentGateAdmin`` a method returns the typed model; on ``AsyncAgentGateAdmin`` the same method
returns an awaitable of it. Lists answer a page (``items``, ``next_cursor``); ``iterate`` on the
sync client walks every page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol, TypeVar

from agentgate_client import models as m

T = TypeVar("T", bound=m.ApiModel)


class Executor(Protocol):
    def call(
        self,
        method: str,
        path: str,
        model: type[Any] | None = None,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Any: ...


def _body(**fields: Any) -> dict[str, Any]:
    """A request body of the fields given (None means "not given")."""
    return {k: v for k, v in fields.items() if v is not None}


def _query(**fields: Any) -> dict[str, Any]:
    renamed = {"from_": "from"}
    return {renamed.get(k, k): v for k, v in fields.items() if v is not None}


class _Group:
    def __init__(self, api: Executor) -> None:
        self._api = api


class Agents(_Group):
    """Agents: ``/api/v1/agents``."""

    def list(
        self, *, status: str | None = None, team: str | None = None, tag: str | None = None,
        limit: int | None = None, cursor: str | None = None,
    ) -> Any:  # fmt: skip
        return self._api.call(
            "GET",
            "/api/v1/agents",
            m.AgentPage,
            params=_query(status=status, team=team, tag=tag, limit=limit, cursor=cursor),
        )

    def create(self, name: str, **fields: Any) -> Any:
        """Register an agent: ``description, type, provider, environment, tags, team, scopes``."""
        return self._api.call("POST", "/api/v1/agents", m.Agent, json=_body(name=name, **fields))

    def get(self, agent_id: str) -> Any:
        return self._api.call("GET", f"/api/v1/agents/{agent_id}", m.Agent)

    def update(self, agent_id: str, **fields: Any) -> Any:
        return self._api.call("PATCH", f"/api/v1/agents/{agent_id}", m.Agent, json=_body(**fields))

    def delete(self, agent_id: str) -> Any:
        return self._api.call("DELETE", f"/api/v1/agents/{agent_id}")

    def pause(self, agent_id: str, reason: str | None = None) -> Any:
        """Pause: the agent gets no tokens and every call it makes answers 403."""
        return self._api.call("POST", f"/api/v1/agents/{agent_id}/pause", m.Agent, json=_body(reason=reason))

    def resume(self, agent_id: str) -> Any:
        return self._api.call("POST", f"/api/v1/agents/{agent_id}/resume", m.Agent)


class Credentials(_Group):
    """An agent's client credentials: ``/api/v1/agents/{id}/credentials``."""

    def create(self, agent_id: str, **fields: Any) -> Any:
        """Create (or rotate) the agent's credential; the secret is in this answer only."""
        return self._api.call(
            "POST", f"/api/v1/agents/{agent_id}/credentials", m.IssuedCredential, json=_body(**fields)
        )

    def list(self, agent_id: str, *, limit: int | None = None, cursor: str | None = None) -> Any:
        return self._api.call(
            "GET",
            f"/api/v1/agents/{agent_id}/credentials",
            m.CredentialPage,
            params=_query(limit=limit, cursor=cursor),
        )

    def revoke(self, agent_id: str, credential_id: str) -> Any:
        return self._api.call("DELETE", f"/api/v1/agents/{agent_id}/credentials/{credential_id}")


class Budgets(_Group):
    """Budgets: ``/api/v1/budgets``."""

    def create(self, scope: str, max_amount_usd: Any, period: str, **fields: Any) -> Any:
        body = _body(scope=scope, max_amount_usd=str(max_amount_usd), period=period, **fields)
        return self._api.call("POST", "/api/v1/budgets", m.Budget, json=body)

    def list(self, *, scope: str | None = None, limit: int | None = None, cursor: str | None = None) -> Any:
        return self._api.call(
            "GET", "/api/v1/budgets", m.BudgetPage, params=_query(scope=scope, limit=limit, cursor=cursor)
        )

    def get(self, budget_id: str) -> Any:
        return self._api.call("GET", f"/api/v1/budgets/{budget_id}", m.Budget)

    def update(self, budget_id: str, **fields: Any) -> Any:
        if "max_amount_usd" in fields and fields["max_amount_usd"] is not None:
            fields["max_amount_usd"] = str(fields["max_amount_usd"])
        return self._api.call("PATCH", f"/api/v1/budgets/{budget_id}", m.Budget, json=_body(**fields))

    def delete(self, budget_id: str) -> Any:
        return self._api.call("DELETE", f"/api/v1/budgets/{budget_id}")


class Policies(_Group):
    """Policies: ``/api/v1/policies`` (conditions: ``docs/policies.md``)."""

    def create(self, name: str, action: str, **fields: Any) -> Any:
        return self._api.call(
            "POST", "/api/v1/policies", m.Policy, json=_body(name=name, action=action, **fields)
        )

    def list(self, *, status: str | None = None, limit: int | None = None, cursor: str | None = None) -> Any:
        return self._api.call(
            "GET", "/api/v1/policies", m.PolicyPage, params=_query(status=status, limit=limit, cursor=cursor)
        )

    def get(self, policy_id: str) -> Any:
        return self._api.call("GET", f"/api/v1/policies/{policy_id}", m.Policy)

    def update(self, policy_id: str, **fields: Any) -> Any:
        return self._api.call("PATCH", f"/api/v1/policies/{policy_id}", m.Policy, json=_body(**fields))

    def delete(self, policy_id: str) -> Any:
        return self._api.call("DELETE", f"/api/v1/policies/{policy_id}")


class Approvals(_Group):
    """Approval requests: ``/api/v1/approvals``."""

    def list(
        self, *, status: str | None = None, waiting_for_me: bool | None = None,
        limit: int | None = None, cursor: str | None = None,
    ) -> Any:  # fmt: skip
        params = _query(status=status, waiting_for_me=waiting_for_me, limit=limit, cursor=cursor)
        return self._api.call("GET", "/api/v1/approvals", m.ApprovalPage, params=params)

    def get(self, approval_id: str) -> Any:
        return self._api.call("GET", f"/api/v1/approvals/{approval_id}", m.Approval)

    def approve(self, approval_id: str, comment: str | None = None) -> Any:
        return self._api.call(
            "POST", f"/api/v1/approvals/{approval_id}/approve", m.Approval, json=_body(comment=comment)
        )

    def reject(self, approval_id: str, comment: str | None = None) -> Any:
        return self._api.call(
            "POST", f"/api/v1/approvals/{approval_id}/reject", m.Approval, json=_body(comment=comment)
        )


class RunsAdmin(_Group):
    """Stored runs: ``/api/v1/runs`` and their events."""

    def list(
        self, *, agent_id: str | None = None, status: str | None = None, team: str | None = None,
        from_: str | None = None, to: str | None = None, min_cost: Any = None,
        limit: int | None = None, cursor: str | None = None,
    ) -> Any:  # fmt: skip
        params = _query(
            agent_id=agent_id, status=status, team=team, from_=from_, to=to,
            min_cost=min_cost, limit=limit, cursor=cursor,
        )  # fmt: skip
        return self._api.call("GET", "/api/v1/runs", m.RunPage, params=params)

    def get(self, run_id: str) -> Any:
        return self._api.call("GET", f"/api/v1/runs/{run_id}", m.Run)

    def events(self, run_id: str, *, limit: int | None = None, cursor: str | None = None) -> Any:
        return self._api.call(
            "GET", f"/api/v1/events/{run_id}", m.RunEventPage, params=_query(limit=limit, cursor=cursor)
        )


class Costs(_Group):
    """Cost reports: ``/api/v1/costs/*`` (``from``/``to`` default to the last 30 days)."""

    def summary(self, *, from_: str | None = None, to: str | None = None) -> Any:
        return self._api.call("GET", "/api/v1/costs/summary", m.CostReport, params=_query(from_=from_, to=to))

    def by_agent(self, agent_id: str, *, from_: str | None = None, to: str | None = None) -> Any:
        return self._api.call(
            "GET", f"/api/v1/costs/by-agent/{agent_id}", m.CostReport, params=_query(from_=from_, to=to)
        )

    def by_team(self, team: str, *, from_: str | None = None, to: str | None = None) -> Any:
        return self._api.call(
            "GET", f"/api/v1/costs/by-team/{team}", m.CostReport, params=_query(from_=from_, to=to)
        )


class Audit(_Group):
    """The tamper-evident audit log: ``/api/v1/audit``."""

    def list(
        self, *, action: str | None = None, actor: str | None = None, from_: str | None = None,
        to: str | None = None, limit: int | None = None, cursor: str | None = None,
    ) -> Any:  # fmt: skip
        params = _query(action=action, actor=actor, from_=from_, to=to, limit=limit, cursor=cursor)
        return self._api.call("GET", "/api/v1/audit", m.AuditEntryPage, params=params)

    def verify(self) -> Any:
        """Recompute the hash chain: ``valid``, ``entries_checked``, ``head_hash``, ``first_bad_entry``."""
        return self._api.call("GET", "/api/v1/audit/verify", m.AuditVerification)


class Webhooks(_Group):
    """Outbound webhooks: ``/api/v1/webhooks`` (Standard Webhooks signatures)."""

    def create(self, url: str, events: list[str], description: str | None = None) -> Any:
        """The answer carries the signing ``secret`` (shown once)."""
        body = _body(url=url, events=events, description=description)
        return self._api.call("POST", "/api/v1/webhooks", m.WebhookCreated, json=body)

    def list(self, *, limit: int | None = None, cursor: str | None = None) -> Any:
        return self._api.call(
            "GET", "/api/v1/webhooks", m.WebhookPage, params=_query(limit=limit, cursor=cursor)
        )

    def delete(self, webhook_id: str) -> Any:
        return self._api.call("DELETE", f"/api/v1/webhooks/{webhook_id}")

    def deliveries(self, webhook_id: str, *, limit: int | None = None, cursor: str | None = None) -> Any:
        return self._api.call(
            "GET",
            f"/api/v1/webhooks/{webhook_id}/deliveries",
            m.WebhookDeliveryPage,
            params=_query(limit=limit, cursor=cursor),
        )

    def test(self, webhook_id: str) -> Any:
        return self._api.call("POST", f"/api/v1/webhooks/{webhook_id}/test")


class TrustPolicies(_Group):
    """OIDC trust policies for token exchange: ``/api/v1/oidc/trust-policies``.

    A policy lets ID tokens of ``issuer`` for ``audience`` whose claims match ``claims`` exactly
    (a ``*`` glob on ``ref``, ``sub`` and ``workflow_ref`` only) be exchanged for a token of
    ``agent_id`` with ``scopes``; it must pin ``repository_id`` or ``repository_owner_id`` for
    GitHub (``sub`` for other issuers). Answers are plain dicts: ``{id, name, issuer, ...}``.
    """

    def create(
        self, name: str, issuer: str, audience: str, claims: dict[str, str], agent_id: str,
        scopes: list[str], max_token_ttl_seconds: int | None = None,
    ) -> Any:  # fmt: skip
        body = _body(
            name=name, issuer=issuer, audience=audience, claims=claims, agent_id=agent_id,
            scopes=scopes, max_token_ttl_seconds=max_token_ttl_seconds,
        )  # fmt: skip
        return self._api.call("POST", "/api/v1/oidc/trust-policies", None, json=body)

    def list(self, *, limit: int | None = None, cursor: str | None = None) -> Any:
        return self._api.call(
            "GET", "/api/v1/oidc/trust-policies", None, params=_query(limit=limit, cursor=cursor)
        )

    def get(self, policy_id: str) -> Any:
        return self._api.call("GET", f"/api/v1/oidc/trust-policies/{policy_id}")

    def delete(self, policy_id: str) -> Any:
        return self._api.call("DELETE", f"/api/v1/oidc/trust-policies/{policy_id}")


class Emergency(_Group):
    """The tenant-wide kill switch."""

    def pause_all(self, reason: str | None = None) -> Any:
        return self._api.call(
            "POST", "/api/v1/emergency/pause-all", m.EmergencyState, json=_body(reason=reason)
        )

    def resume_all(self) -> Any:
        return self._api.call("POST", "/api/v1/emergency/resume-all", m.EmergencyState, json={})


def iterate(list_call: Any, **filters: Any) -> Iterator[Any]:
    """Every item of a sync ``list`` method, page after page: ``iterate(admin.agents.list)``."""
    cursor = None
    while True:
        page = list_call(cursor=cursor, **filters)
        yield from page.items
        cursor = page.next_cursor
        if not cursor:
            return

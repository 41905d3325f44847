"""``agentgate agents|credentials|runs|approvals ...``: the resource commands."""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer

from agentgate_client.cli.output import Format, command, show
from agentgate_client.cli.session import Session

agents = typer.Typer(help="Register, inspect, pause, resume and delete agents.", no_args_is_help=True)
credentials = typer.Typer(help="An agent's client credentials.", no_args_is_help=True)
runs = typer.Typer(help="Stored runs: list, get, tail.", no_args_is_help=True)
approvals = typer.Typer(help="Approval requests: list, approve, reject.", no_args_is_help=True)

AGENT_COLUMNS = ("id", "name", "status", "team", "environment", "scopes", "created_at")
RUN_COLUMNS = ("run_id", "agent_id", "status", "model", "cost_usd", "latency_ms", "start_time")
APPROVAL_COLUMNS = ("id", "status", "action", "requested_by", "created_at", "decided_by")
CREDENTIAL_COLUMNS = ("credential_id", "client_id", "status", "created_at", "expires_at")


def _session(ctx: typer.Context) -> Session:
    return ctx.obj  # type: ignore[no-any-return]


def _fmt(ctx: typer.Context) -> Format:
    return _session(ctx).output


# -- agents ---------------------------------------------------------------------------------
@agents.command("list")
@command
def agents_list(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="active or paused")] = None,
    team: Annotated[str | None, typer.Option()] = None,
    tag: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 50,
) -> None:
    """List agents."""
    page = _session(ctx).admin().agents.list(status=status, team=team, tag=tag, limit=limit)
    show(page.items, _fmt(ctx), AGENT_COLUMNS)


@agents.command("create")
@command
def agents_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="the agent's name")],
    description: Annotated[str | None, typer.Option()] = None,
    team: Annotated[str | None, typer.Option()] = None,
    environment: Annotated[str | None, typer.Option()] = None,
    scope: Annotated[list[str] | None, typer.Option("--scope", help="repeatable: runs:write ...")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="repeatable")] = None,
) -> None:
    """Register an agent."""
    fields: dict[str, Any] = {"description": description, "team": team, "environment": environment}
    if scope:
        fields["scopes"] = scope
    if tag:
        fields["tags"] = tag
    show(_session(ctx).admin().agents.create(name, **fields), _fmt(ctx))


@agents.command("get")
@command
def agents_get(ctx: typer.Context, agent_id: str) -> None:
    """Show one agent."""
    show(_session(ctx).admin().agents.get(agent_id), _fmt(ctx))


@agents.command("pause")
@command
def agents_pause(
    ctx: typer.Context, agent_id: str, reason: Annotated[str | None, typer.Option()] = None
) -> None:
    """Pause an agent: it gets no tokens and every call it makes answers 403."""
    show(_session(ctx).admin().agents.pause(agent_id, reason), _fmt(ctx), AGENT_COLUMNS)


@agents.command("resume")
@command
def agents_resume(ctx: typer.Context, agent_id: str) -> None:
    """Resume a paused agent."""
    show(_session(ctx).admin().agents.resume(agent_id), _fmt(ctx), AGENT_COLUMNS)


@agents.command("delete")
@command
def agents_delete(
    ctx: typer.Context,
    agent_id: str,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="do not ask")] = False,
) -> None:
    """Delete an agent."""
    if not yes:
        typer.confirm(f"Delete agent {agent_id}?", abort=True)
    _session(ctx).admin().agents.delete(agent_id)
    show({"id": agent_id, "deleted": True}, _fmt(ctx))


# -- credentials ------------------------------------------------------------------------------
@credentials.command("create")
@command
def credentials_create(
    ctx: typer.Context,
    agent_id: str,
    expires_in_days: Annotated[int | None, typer.Option(min=1, max=730)] = None,
    grace_period_seconds: Annotated[int | None, typer.Option(min=0, help="on rotation")] = None,
) -> None:
    """Create (or rotate) an agent's credential; the secret is shown this once."""
    issued = (
        _session(ctx)
        .admin()
        .credentials.create(
            agent_id, expires_in_days=expires_in_days, grace_period_seconds=grace_period_seconds
        )
    )
    show(issued, _fmt(ctx))


@credentials.command("list")
@command
def credentials_list(ctx: typer.Context, agent_id: str) -> None:
    """List an agent's credentials (never their secrets)."""
    show(_session(ctx).admin().credentials.list(agent_id).items, _fmt(ctx), CREDENTIAL_COLUMNS)


@credentials.command("revoke")
@command
def credentials_revoke(ctx: typer.Context, agent_id: str, credential_id: str) -> None:
    """Revoke a credential."""
    _session(ctx).admin().credentials.revoke(agent_id, credential_id)
    show({"credential_id": credential_id, "revoked": True}, _fmt(ctx))


# -- runs -------------------------------------------------------------------------------------
@runs.command("list")
@command
def runs_list(
    ctx: typer.Context,
    agent_id: Annotated[str | None, typer.Option("--agent")] = None,
    status: Annotated[str | None, typer.Option()] = None,
    team: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 50,
) -> None:
    """List runs, newest first."""
    page = _session(ctx).admin().runs.list(agent_id=agent_id, status=status, team=team, limit=limit)
    show(page.items, _fmt(ctx), RUN_COLUMNS)


@runs.command("get")
@command
def runs_get(ctx: typer.Context, run_id: str) -> None:
    """Show one run with its cost."""
    show(_session(ctx).admin().runs.get(run_id), _fmt(ctx))


@runs.command("tail")
@command
def runs_tail(
    ctx: typer.Context,
    agent_id: Annotated[str | None, typer.Option("--agent")] = None,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="keep polling for new runs")] = False,
    limit: Annotated[int, typer.Option(min=1, max=200, help="runs shown at start")] = 10,
    interval: Annotated[float, typer.Option(min=0.1, help="first poll interval, seconds")] = 1.0,
    max_interval: Annotated[float, typer.Option(min=0.1, help="longest poll interval, seconds")] = 15.0,
    timeout: Annotated[float | None, typer.Option(help="stop following after this many seconds")] = None,
) -> None:
    """Print the latest runs; with --follow, poll for new ones (backing off while none arrive)."""
    admin = _session(ctx).admin()
    fmt = _fmt(ctx)
    seen: set[str] = set()
    latest = list(reversed(admin.runs.list(agent_id=agent_id, limit=limit).items))
    _print_runs(latest, seen, fmt)
    deadline = None if timeout is None else time.monotonic() + timeout
    wait = interval
    while follow and (deadline is None or time.monotonic() < deadline):
        time.sleep(wait if deadline is None else max(0.0, min(wait, deadline - time.monotonic())))
        fresh = [
            r for r in reversed(admin.runs.list(agent_id=agent_id, limit=50).items) if r.run_id not in seen
        ]
        _print_runs(fresh, seen, fmt)
        wait = interval if fresh else min(wait * 2, max_interval)


def _print_runs(items: list[Any], seen: set[str], fmt: Format) -> None:
    import json

    for run in items:
        seen.add(run.run_id)
        if fmt is Format.json:  # one JSON object a line, as a stream
            typer.echo(json.dumps(run.model_dump(mode="json")))
        else:
            cost = "-" if run.cost_usd is None else f"${run.cost_usd}"
            started = f"{run.start_time:%Y-%m-%dT%H:%M:%SZ}"
            typer.echo(f"{started}  {run.run_id}  {run.agent_id}  {run.status}  {run.model or '-'}  {cost}")


# -- approvals --------------------------------------------------------------------------------
@approvals.command("list")
@command
def approvals_list(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="pending, approved, rejected, expired")] = None,
    mine: Annotated[bool, typer.Option("--mine", help="only those waiting for me")] = False,
) -> None:
    """List approval requests."""
    page = _session(ctx).admin().approvals.list(status=status, waiting_for_me=True if mine else None)
    show(page.items, _fmt(ctx), APPROVAL_COLUMNS)


@approvals.command("approve")
@command
def approvals_approve(
    ctx: typer.Context, approval_id: str, comment: Annotated[str | None, typer.Option()] = None
) -> None:
    """Approve a pending request."""
    show(_session(ctx).admin().approvals.approve(approval_id, comment), _fmt(ctx), APPROVAL_COLUMNS)


@approvals.command("reject")
@command
def approvals_reject(
    ctx: typer.Context, approval_id: str, comment: Annotated[str | None, typer.Option()] = None
) -> None:
    """Reject a pending request."""
    show(_session(ctx).admin().approvals.reject(approval_id, comment), _fmt(ctx), APPROVAL_COLUMNS)

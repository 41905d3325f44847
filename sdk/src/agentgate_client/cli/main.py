"""``agentgate``: the command line for AgentGate (typer). ``agentgate --help`` lists the commands;
``agentgate --install-completion`` installs shell completion (bash, zsh, fish)."""

from __future__ import annotations

import os
import time
from typing import Annotated

import httpx
import typer

from agentgate_client.auth import ClientCredentials, TokenExchange
from agentgate_client.cli import config
from agentgate_client.cli.groups import agents, approvals, credentials, runs
from agentgate_client.cli.output import EXIT_CODES_HELP, Exit, Format, command, fail, show
from agentgate_client.cli.session import Session
from agentgate_client.errors import error_for
from agentgate_client.github import in_github_actions, request_id_token

app = typer.Typer(
    name="agentgate",
    help="AgentGate from the command line: agents, credentials, tokens, runs, approvals, audit.\n\n"
    + EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)
app.add_typer(agents, name="agents")
app.add_typer(credentials, name="credentials")
app.add_typer(runs, name="runs")
app.add_typer(approvals, name="approvals")
audit = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
app.add_typer(audit, name="audit")


@app.callback()
def main_options(
    ctx: typer.Context,
    url: Annotated[
        str | None, typer.Option(help=f"the API (else ${config.URL_ENV}, the login, {config.DEFAULT_URL})")
    ] = None,
    output: Annotated[
        Format, typer.Option("--output", "-o", help="table for people, json for scripts")
    ] = Format.table,
) -> None:
    ctx.obj = Session(output=output, url_override=url)


@app.command()
@command
def login(
    ctx: typer.Context,
    email: Annotated[str | None, typer.Option(help="sign in as a person (asks for the password)")] = None,
    password: Annotated[str | None, typer.Option(help="else asked for, hidden")] = None,
    api_key: Annotated[str | None, typer.Option("--api-key", help="store a tenant API key (agk_...)")] = None,
) -> None:
    """Sign in with email and password or store an API key, in the user's config dir (mode 0600)."""
    session: Session = ctx.obj
    url = session.url
    if api_key is None and email is None:
        email = typer.prompt("Email")
    if api_key is not None:
        reply = httpx.get(
            f"{url}/api/v1/agents",
            params={"limit": 1},
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=30,
        )
        if reply.status_code == 401:
            fail("the API refused this API key", Exit.AUTH)
        stored = config.Login(url=url, api_key=api_key)
    else:
        if password is None:
            password = typer.prompt("Password", hide_input=True)
        reply = httpx.post(
            f"{url}/api/v1/auth/login", json={"email": email, "password": password}, timeout=30
        )
        if reply.status_code != 200:
            error = error_for(reply.status_code, reply.json() if reply.content else None)
            fail(
                f"sign-in refused: {error.code}: {error.message}",
                Exit.AUTH if reply.status_code in (400, 401) else Exit.FAILED,
            )
        tokens = reply.json()["tokens"]
        stored = config.Login(
            url=url,
            access_token=tokens["access_token"],
            refresh_token=tokens.get("refresh_token"),
            expires_at=time.time() + int(tokens.get("expires_in") or 3600),
            email=email,
        )
    path = config.save(stored)
    show({"url": url, "logged_in_as": stored.email or "api key", "config": str(path)}, session.output)


@app.command()
def logout(ctx: typer.Context) -> None:
    """Forget the stored login."""
    show({"logged_out": config.forget()}, ctx.obj.output)


@app.command()
@command
def token(
    ctx: typer.Context,
    client_id: Annotated[str | None, typer.Option(envvar="AGENTGATE_CLIENT_ID")] = None,
    client_secret: Annotated[str | None, typer.Option(envvar="AGENTGATE_CLIENT_SECRET")] = None,
    scope: Annotated[str | None, typer.Option(help="space-separated scopes")] = None,
    audience: Annotated[
        str | None, typer.Option(help="the ID token's audience (GitHub) or the token's (client credentials)")
    ] = None,
    github: Annotated[
        bool | None,
        typer.Option(
            "--github/--no-github",
            help="exchange the job's GitHub OIDC token (the default in GitHub Actions without a client id)",
        ),
    ] = None,
) -> None:
    """Print an agent access token: client credentials, or inside GitHub Actions the OIDC exchange."""
    session: Session = ctx.obj
    use_github = github if github is not None else (not client_id and in_github_actions())
    if use_github:
        oidc_audience = audience or os.environ.get("AGENTGATE_AUDIENCE") or "agentgate"
        source: ClientCredentials | TokenExchange = TokenExchange(
            session.url, lambda: request_id_token(oidc_audience), scope=scope
        )
    elif client_id and client_secret:
        source = ClientCredentials(session.url, client_id, client_secret, scope=scope, audience=audience)
    else:
        fail(
            "give --client-id and --client-secret (or AGENTGATE_CLIENT_ID/SECRET) or run in GitHub Actions",
            Exit.USAGE,
        )
    issued = source.token()
    expires_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(issued.expires_at_epoch))
    if session.output is Format.json:
        show(
            {
                "access_token": issued.value,
                "expires_in": issued.expires_in,
                "expires_at": expires_at,
                "scope": issued.scope,
            },
            Format.json,
        )
    else:
        typer.echo(issued.value)


@audit.command("verify")
@command
def audit_verify(ctx: typer.Context) -> None:
    """Recompute the audit hash chain; exits 1 when it is broken."""
    result = ctx.obj.admin().audit.verify()
    show(result, ctx.obj.output)
    if not result.valid:
        raise typer.Exit(int(Exit.FAILED))


@app.command()
@command
def conformance(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="the deployment to check")],
    client_id: Annotated[str | None, typer.Option(envvar="AGENTGATE_CLIENT_ID")] = None,
    client_secret: Annotated[str | None, typer.Option(envvar="AGENTGATE_CLIENT_SECRET")] = None,
) -> None:
    """Check a deployment's discovery, JWKS and token endpoint against the contract; exits 1 on a failure."""
    from agentgate_client.conformance import run_suite

    checks = run_suite(url, client_id, client_secret)
    show([c.__dict__ for c in checks], ctx.obj.output, ("name", "status", "detail"))
    if any(c.status == "fail" for c in checks):
        raise typer.Exit(int(Exit.FAILED))


def main() -> None:
    app()


if __name__ == "__main__":
    main()

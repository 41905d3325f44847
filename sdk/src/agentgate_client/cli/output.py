"""How the CLI answers: tables for people, ``--output json`` for scripts, errors on stderr with
an exit code a script can rely on."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from typing import Any, NoReturn

import typer
from pydantic import BaseModel

from agentgate_client.errors import (
    AgentGateError,
    ApiError,
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    ServiceUnavailable,
    TransportError,
    Unauthorized,
    Unprocessable,
)


class Exit(int, Enum):
    """The CLI's exit codes (``agentgate --help`` lists them)."""

    OK = 0
    FAILED = 1  # the command ran and the answer is "no": audit chain invalid, conformance failed, denied
    USAGE = 2  # bad arguments (typer's own)
    AUTH = 3  # not logged in, or the credentials were refused (401)
    FORBIDDEN = 4  # 403
    NOT_FOUND = 5  # 404
    CONFLICT = 6  # 409
    INVALID = 7  # 400 / 422: the API refused the input
    UNAVAILABLE = 8  # 429 / 5xx / unreachable, after the retries: try again later


EXIT_CODES_HELP = (
    "Exit codes: 0 ok, 1 check failed, 2 usage, 3 not logged in or refused credentials, 4 forbidden, "
    "5 not found, 6 conflict, 7 invalid input, 8 unavailable or throttled (retry later)."
)


class Format(str, Enum):
    table = "table"
    json = "json"


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return ",".join(str(v) for v in value) or "-"
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max([len(c.upper()), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def show(value: Any, fmt: Format, columns: Sequence[str] | None = None) -> None:
    """Print one object or a list: JSON, or a table of ``columns`` (a key/value table for one object)."""
    data = _plain(value)
    if fmt is Format.json:
        typer.echo(json.dumps(data, indent=2, default=str))
        return
    if isinstance(data, list):
        typer.echo(table(data, columns or (list(data[0]) if data else ["id"])) if data else "(none)")
        return
    if isinstance(data, dict):
        keys = columns or list(data)
        width = max((len(k) for k in keys), default=0)
        typer.echo("\n".join(f"{k.ljust(width)}  {_cell(data.get(k))}" for k in keys))
        return
    typer.echo(str(data))


def fail(message: str, code: Exit) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(int(code))


_EXIT_BY_ERROR: list[tuple[type[AgentGateError], Exit]] = [
    (Unauthorized, Exit.AUTH),
    (Forbidden, Exit.FORBIDDEN),
    (NotFound, Exit.NOT_FOUND),
    (Conflict, Exit.CONFLICT),
    (BadRequest, Exit.INVALID),
    (Unprocessable, Exit.INVALID),
    (RateLimited, Exit.UNAVAILABLE),
    (ServiceUnavailable, Exit.UNAVAILABLE),
    (TransportError, Exit.UNAVAILABLE),
]


_EXIT_BY_STATUS = {
    400: Exit.INVALID,
    401: Exit.AUTH,
    403: Exit.FORBIDDEN,
    404: Exit.NOT_FOUND,
    409: Exit.CONFLICT,
}


def exit_code_for(error: AgentGateError) -> Exit:
    for cls, code in _EXIT_BY_ERROR:
        if isinstance(error, cls):
            return code
    if isinstance(error, ApiError):  # an OAuth error body (invalid_grant, invalid_client, ...)
        if error.status >= 500 or error.status == 429:
            return Exit.UNAVAILABLE
        return _EXIT_BY_STATUS.get(error.status, Exit.INVALID if 400 <= error.status < 500 else Exit.FAILED)
    return Exit.FAILED


@contextmanager
def api_errors() -> Iterator[None]:
    """Turn the SDK's exceptions into a message on stderr and the matching exit code."""
    try:
        yield
    except ApiError as error:
        details = "; ".join(
            f"{d.get('field', '')}: {d.get('message') or d.get('issue') or d}" for d in error.details
        )
        fail(
            f"{error.status} {error.code}: {error.message}" + (f" ({details})" if details else ""),
            exit_code_for(error),
        )
    except AgentGateError as error:
        fail(str(error), exit_code_for(error))


def command(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command body under ``api_errors``."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with api_errors():
            return func(*args, **kwargs)

    return wrapper


def stderr(message: str) -> None:
    print(message, file=sys.stderr)

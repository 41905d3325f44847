"""CSV export of runs, written row by row as the index pages are read.

The rows are produced by a generator over the GSI query, so memory holds one page of
items, not the export. API Gateway's Lambda proxy integration buffers the response (at
most 6 MB), so an export stops at ``limit`` rows (50,000 at most) and the
``X-Next-Cursor`` header continues it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from agentgate.data.tenant import tenant_data
from agentgate.models import RunItem
from agentgate.platform.tenancy import TenantContext
from agentgate.schemas.runs import ExportQuery, RunQuery
from agentgate.services.dashboards import live, run_order_bounds, runs_index

CSV = "text/csv"
COLUMNS = (
    "run_id",
    "agent_id",
    "team",
    "status",
    "start_time",
    "end_time",
    "latency_ms",
    "provider",
    "model",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "cost_usd",
    "unpriced",
    "price_version",
    "external_reference",
)
DEFAULT_DAYS = 30


@dataclass
class RunsExport:
    rows: Iterator[str]
    filename: str
    next_cursor: str | None = None
    _text: str | None = field(default=None, repr=False)

    def text(self) -> str:
        if self._text is None:
            self._text = "".join(self.rows)
        return self._text

    def headers(self) -> dict[str, str]:
        self.text()
        headers = {"Content-Disposition": f'attachment; filename="{self.filename}"'}
        if self.next_cursor:
            headers["X-Next-Cursor"] = self.next_cursor
        return headers


def _line(values: list[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue()


def _cell(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    text = str(value)
    # A cell starting with a formula character is neutralised (CSV injection in spreadsheets).
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def runs_csv(ctx: TenantContext, query: ExportQuery) -> RunsExport:
    to = query.to or datetime.now(UTC)
    start = query.from_ or (to - timedelta(days=DEFAULT_DAYS))
    browse = RunQuery.model_validate({"agent_id": query.agent_id, "from": start, "to": to})
    index, key = runs_index(ctx, browse.agent_id)
    low, high = run_order_bounds(start, to)
    found = tenant_data(ctx).stream(
        RunItem,
        index=index,
        index_key=key,
        sk_from=low,
        sk_to=high,
        filter=live(),
        newest_first=True,
        limit=query.limit,
        cursor=query.cursor,
    )
    export = RunsExport(
        rows=iter(()), filename=f"runs-{start.date().isoformat()}-{to.date().isoformat()}.csv"
    )

    def rows() -> Iterator[str]:
        yield _line(list(COLUMNS))
        for item in found:
            yield _line([_cell(getattr(item, column)) for column in COLUMNS])
        export.next_cursor = found.next_cursor

    export.rows = rows()
    return export

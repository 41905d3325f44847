import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api, call, collect } from "../../api/client";
import { messageOf } from "../../api/errors";
import { session } from "../../auth/instance";
import { Badge } from "../../components/Badge";
import { FormError } from "../../components/Field";
import { count, ms, usd, when } from "../../components/format";
import { Pager, useCursorPages } from "../../components/Pager";
import { Async, Empty } from "../../components/States";
import { useApi } from "../../components/useApi";

const PAGE = 25;
const STATUSES = ["running", "success", "error", "timeout", "cancelled"] as const;
type Status = (typeof STATUSES)[number];
const KEYS = ["agent_id", "status", "team", "from", "to", "min_cost"] as const;

/** A `datetime-local` value (read as UTC) to RFC 3339, and back. */
export function localToIso(value: string): string | undefined {
  return value ? `${value.length === 16 ? `${value}:00` : value}Z` : undefined;
}

export default function RunList() {
  const [params, setParams] = useSearchParams();
  const filters = Object.fromEntries(KEYS.map((k) => [k, params.get(k) ?? ""])) as Record<(typeof KEYS)[number], string>;
  const [draft, setDraft] = useState(filters);
  const [exportError, setExportError] = useState<string | null>(null);
  const pages = useCursorPages();
  const agents = useApi(() => collect((cursor) => call(() => api.GET("/api/v1/agents", { params: { query: { limit: 100, cursor } } }))), []);
  const query = {
    agent_id: filters.agent_id || undefined,
    status: (filters.status || undefined) as Status | undefined,
    team: filters.team || undefined,
    from: localToIso(filters.from),
    to: localToIso(filters.to),
    min_cost: filters.min_cost || undefined,
  };
  const runs = useApi(
    () => call(() => api.GET("/api/v1/runs", { params: { query: { ...query, limit: PAGE, cursor: pages.cursor } } })),
    [params.toString(), pages.cursor],
  );
  const names = new Map((agents.data ?? []).map((a) => [a.id, a.name]));
  const active = KEYS.some((k) => filters[k]);

  async function exportCsv() {
    setExportError(null);
    const search = new URLSearchParams();
    for (const k of ["agent_id", "from", "to"] as const) {
      const v = k === "agent_id" ? query.agent_id : query[k];
      if (v) search.set(k, v);
    }
    try {
      let response = await fetch(`/api/v1/exports/runs.csv?${search}`, { headers: { Authorization: `Bearer ${session.accessToken() ?? ""}` } });
      if (response.status === 401 && (await session.refresh())) {
        response = await fetch(`/api/v1/exports/runs.csv?${search}`, { headers: { Authorization: `Bearer ${session.accessToken() ?? ""}` } });
      }
      if (!response.ok) throw new Error(`The export failed (HTTP ${response.status}).`);
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement("a");
      link.href = url;
      link.download = "runs.csv";
      link.click();
      URL.revokeObjectURL(url);
    } catch (err) {
      setExportError(messageOf(err));
    }
  }

  return (
    <>
      <div className="page-head">
        <h1>Runs</h1>
        <button type="button" onClick={exportCsv}>
          Export CSV
        </button>
      </div>
      <FormError message={exportError} />
      <form
        className="filters"
        aria-label="Filter runs"
        onSubmit={(e) => {
          e.preventDefault();
          pages.reset();
          setParams(Object.fromEntries(Object.entries(draft).filter(([, v]) => v)));
        }}
      >
        <div>
          <label htmlFor="r-agent">Agent</label>
          <select id="r-agent" value={draft.agent_id} onChange={(e) => setDraft({ ...draft, agent_id: e.target.value })}>
            <option value="">Any</option>
            {(agents.data ?? []).map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="r-status">Status</label>
          <select id="r-status" value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="r-team">Team</label>
          <input id="r-team" value={draft.team} onChange={(e) => setDraft({ ...draft, team: e.target.value })} />
        </div>
        <div>
          <label htmlFor="r-from">From (UTC)</label>
          <input id="r-from" type="datetime-local" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        </div>
        <div>
          <label htmlFor="r-to">To (UTC)</label>
          <input id="r-to" type="datetime-local" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </div>
        <div>
          <label htmlFor="r-min">Min cost (USD)</label>
          <input id="r-min" inputMode="decimal" value={draft.min_cost} onChange={(e) => setDraft({ ...draft, min_cost: e.target.value })} />
        </div>
        <button type="submit">Apply filters</button>
      </form>
      <Async value={runs} label="Loading runs">
        {(page) =>
          page.items.length === 0 ? (
            <Empty title={active ? "No runs match these filters." : "No runs yet."}>
              {!active && (
                <p>
                  Runs appear here when agents report them. <Link to="/onboarding">Send a first run</Link>.
                </p>
              )}
            </Empty>
          ) : (
            <>
              <table className="data">
                <caption className="visually-hidden">Runs, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Run</th>
                    <th scope="col">Agent</th>
                    <th scope="col">Status</th>
                    <th scope="col">Started</th>
                    <th scope="col">Latency</th>
                    <th scope="col">Model</th>
                    <th scope="col">Tokens in / out</th>
                    <th scope="col">Cost</th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((r) => (
                    <tr key={r.id}>
                      <td><Link to={`/app/runs/${encodeURIComponent(r.id)}`}>{r.run_id}</Link></td>
                      <td>{names.get(r.agent_id) ?? <span className="mono">{r.agent_id}</span>}</td>
                      <td><Badge value={r.status} /></td>
                      <td>{when(r.start_time)}</td>
                      <td>{ms(r.latency_ms)}</td>
                      <td>{r.model ?? "—"}</td>
                      <td>{count(r.token_usage.input)} / {count(r.token_usage.output)}</td>
                      <td>{r.unpriced ? <span className="flag">⚠ unpriced</span> : usd(r.cost_usd)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager page={pages.page} hasNext={Boolean(page.next_cursor)} onPrevious={pages.previous} onNext={() => page.next_cursor && pages.next(page.next_cursor)} />
            </>
          )
        }
      </Async>
    </>
  );
}

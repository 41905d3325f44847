import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api, call, collect, type Agent } from "../../api/client";
import { roleAtLeast, useAuth } from "../../auth/AuthContext";
import { Badge } from "../../components/Badge";
import { when } from "../../components/format";
import { Pager, useCursorPages } from "../../components/Pager";
import { Async, Empty } from "../../components/States";
import { useApi } from "../../components/useApi";

const PAGE = 25;

export function matches(agent: Agent, search: string): boolean {
  const q = search.trim().toLowerCase();
  return !q || [agent.name, agent.id, agent.description, ...agent.tags].some((s) => s.toLowerCase().includes(q));
}

export default function AgentList() {
  const { role } = useAuth();
  const [params, setParams] = useSearchParams();
  const status = params.get("status") ?? "";
  const team = params.get("team") ?? "";
  const tag = params.get("tag") ?? "";
  const search = params.get("q") ?? "";
  const [draft, setDraft] = useState({ status, team, tag, q: search });
  const pages = useCursorPages();
  const query = {
    status: (status || undefined) as "active" | "paused" | undefined,
    team: team || undefined,
    tag: tag || undefined,
  };
  const list = useApi(async () => {
    if (search) {
      // The API filters by status, team and tag; the name search runs over every match here.
      const all = await collect((cursor) => call(() => api.GET("/api/v1/agents", { params: { query: { ...query, limit: 100, cursor } } })));
      const hits = all.filter((a) => matches(a, search));
      return { items: hits.slice(pages.page * PAGE, (pages.page + 1) * PAGE), next_cursor: hits.length > (pages.page + 1) * PAGE ? "more" : null };
    }
    return call(() => api.GET("/api/v1/agents", { params: { query: { ...query, limit: PAGE, cursor: pages.cursor } } }));
  }, [status, team, tag, search, pages.cursor, pages.page]);

  return (
    <>
      <div className="page-head">
        <h1>Agents</h1>
        {roleAtLeast(role, "member") && (
          <Link to="/app/agents/new" className="button primary">
            Register an agent
          </Link>
        )}
      </div>
      <form
        className="filters"
        role="search"
        aria-label="Filter agents"
        onSubmit={(e) => {
          e.preventDefault();
          pages.reset();
          setParams(Object.fromEntries(Object.entries({ status: draft.status, team: draft.team, tag: draft.tag, q: draft.q }).filter(([, v]) => v)));
        }}
      >
        <div>
          <label htmlFor="f-q">Search</label>
          <input id="f-q" type="search" value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} placeholder="name, id, tag" />
        </div>
        <div>
          <label htmlFor="f-status">Status</label>
          <select id="f-status" value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })}>
            <option value="">Any</option>
            <option value="active">Active</option>
            <option value="paused">Paused</option>
          </select>
        </div>
        <div>
          <label htmlFor="f-team">Team</label>
          <input id="f-team" value={draft.team} onChange={(e) => setDraft({ ...draft, team: e.target.value })} />
        </div>
        <div>
          <label htmlFor="f-tag">Tag</label>
          <input id="f-tag" value={draft.tag} onChange={(e) => setDraft({ ...draft, tag: e.target.value })} />
        </div>
        <button type="submit">Apply filters</button>
      </form>
      <Async value={list} label="Loading agents">
        {(page) =>
          page.items.length === 0 ? (
            <Empty title={status || team || tag || search ? "No agents match these filters." : "No agents yet."}>
              {!(status || team || tag || search) && (
                <p>
                  <Link to="/onboarding">Set up your first agent</Link>.
                </p>
              )}
            </Empty>
          ) : (
            <>
              <table className="data">
                <caption className="visually-hidden">Agents</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Status</th>
                    <th scope="col">Team</th>
                    <th scope="col">Tags</th>
                    <th scope="col">Environment</th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((a) => (
                    <tr key={a.id}>
                      <td>
                        <Link to={`/app/agents/${encodeURIComponent(a.id)}`}>{a.name}</Link>
                        <div className="muted mono small">{a.id}</div>
                      </td>
                      <td><Badge value={a.status} /></td>
                      <td>{a.team ?? "—"}</td>
                      <td>{a.tags.map((t) => <span key={t} className="tag">{t}</span>)}</td>
                      <td>{a.environment}</td>
                      <td>{when(a.created_at)}</td>
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

import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api, call, type Agent } from "../../api/client";
import { messageOf } from "../../api/errors";
import { roleAtLeast, useAuth } from "../../auth/AuthContext";
import { Badge } from "../../components/Badge";
import { DailyChart } from "../../components/charts";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { FormError } from "../../components/Field";
import { count, ms, usd, when } from "../../components/format";
import { Kpi } from "../../components/Kpi";
import { Async, Empty } from "../../components/States";
import { useApi } from "../../components/useApi";
import { toDayPoints } from "../Home";
import { Credentials } from "./Credentials";

function List({ items }: { items: string[] }) {
  return items.length ? <>{items.map((s) => <span key={s} className="tag">{s}</span>)}</> : <>—</>;
}

export default function AgentDetail() {
  const { id = "" } = useParams();
  const { role } = useAuth();
  const navigate = useNavigate();
  const agent = useApi(() => call(() => api.GET("/api/v1/agents/{id}", { params: { path: { id } } })), [id]);
  const dash = useApi(() => call(() => api.GET("/api/v1/dashboard/agent/{id}", { params: { path: { id } } })), [id]);
  const [dialog, setDialog] = useState<"pause" | "resume" | "delete" | null>(null);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const canControl = roleAtLeast(role, "team_lead");
  const canWrite = roleAtLeast(role, "member");

  async function act(kind: "pause" | "resume" | "delete") {
    setBusy(true);
    setError(null);
    try {
      const path = { params: { path: { id } } };
      if (kind === "pause") await call(() => api.POST("/api/v1/agents/{id}/pause", { ...path, body: reason ? { reason } : {} }));
      if (kind === "resume") await call(() => api.POST("/api/v1/agents/{id}/resume", path));
      if (kind === "delete") {
        await call(() => api.DELETE("/api/v1/agents/{id}", path));
        navigate("/app/agents");
        return;
      }
      setDialog(null);
      agent.reload();
      dash.reload();
    } catch (err) {
      setError(messageOf(err));
      setDialog(null);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Async value={agent} label="Loading the agent">
      {(a: Agent) => (
        <>
          <div className="page-head">
            <h1>
              {a.name} <Badge value={a.status} />
            </h1>
            <div className="actions">
              {canControl ? (
                a.status === "active" ? (
                  <button type="button" className="danger" onClick={() => setDialog("pause")}>
                    Pause agent
                  </button>
                ) : (
                  <button type="button" onClick={() => setDialog("resume")}>
                    Resume agent
                  </button>
                )
              ) : (
                <span className="muted">Pausing needs the team lead role or higher.</span>
              )}
              {canWrite && (
                <>
                  <Link to={`/app/agents/${encodeURIComponent(a.id)}/edit`} className="button">
                    Edit
                  </Link>
                  <button type="button" className="danger" onClick={() => setDialog("delete")}>
                    Delete
                  </button>
                </>
              )}
            </div>
          </div>
          <FormError message={error} />
          {a.status === "paused" && (
            <p className="warning" role="status">
              ⏸ Paused{a.paused_reason ? `: ${a.paused_reason}` : ""}. It gets no tokens and every call it makes answers 403.
            </p>
          )}
          <dl className="facts">
            <dt>Id</dt>
            <dd className="mono">{a.id}</dd>
            <dt>Description</dt>
            <dd>{a.description || "—"}</dd>
            <dt>Type / provider / environment</dt>
            <dd>
              {a.type} / {a.provider ?? "—"} / {a.environment}
            </dd>
            <dt>Team</dt>
            <dd>{a.team ?? "—"}</dd>
            <dt>Tags</dt>
            <dd><List items={a.tags} /></dd>
            <dt>Scopes</dt>
            <dd><List items={a.scopes} /></dd>
            <dt>Audiences</dt>
            <dd><List items={(a as Agent & { audiences?: string[] }).audiences ?? []} /></dd>
            <dt>Created</dt>
            <dd>{when(a.created_at)}</dd>
          </dl>

          <section aria-labelledby="agent-dash">
            <h2 id="agent-dash">Dashboard</h2>
            <Async value={dash} label="Loading the agent's dashboard">
              {(d) => (
                <>
                  <dl className="kpis">
                    <Kpi label="Runs (7 days)" value={count(d.kpis.runs_7d)} note={`${count(d.kpis.runs_today)} today`} />
                    <Kpi label="Errors (7 days)" value={count(d.kpis.errors_7d)} tone={d.kpis.errors_7d ? "bad" : undefined} />
                    <Kpi label="Cost (30 days)" value={usd(d.kpis.cost_30d_usd)} />
                    <Kpi label="Latency p95" value={ms(d.kpis.latency_p95_ms)} />
                  </dl>
                  <DailyChart
                    title="This agent's cost and runs by day"
                    data={toDayPoints(d.by_day)}
                    series={[
                      { key: "runs", label: "Runs", kind: "bar" },
                      { key: "cost", label: "Cost (USD)", kind: "line", axis: "right", format: (v) => usd(String(v)) },
                    ]}
                  />
                  <h3>Recent runs</h3>
                  {d.recent_runs.length === 0 ? (
                    <Empty title="No runs yet." />
                  ) : (
                    <ul className="plain">
                      {d.recent_runs.map((r) => (
                        <li key={r.id}>
                          <Link to={`/app/runs/${encodeURIComponent(r.id)}`}>{r.run_id}</Link> <Badge value={r.status} /> {usd(r.cost_usd)} · {when(r.start_time)}
                        </li>
                      ))}
                    </ul>
                  )}
                  <p>
                    <Link to={`/app/runs?agent_id=${encodeURIComponent(a.id)}`}>All runs of this agent →</Link>
                  </p>
                </>
              )}
            </Async>
          </section>

          <Credentials agentId={a.id} canWrite={canWrite} />

          <ConfirmDialog
            open={dialog === "pause"}
            title={`Pause ${a.name}?`}
            confirmLabel="Pause agent"
            busy={busy}
            onCancel={() => setDialog(null)}
            onConfirm={() => void act("pause")}
          >
            <p>It gets no new tokens, and every call it makes with a token it holds answers 403, until resumed.</p>
            <label htmlFor="pause-reason">Reason (optional, shown on the agent)</label>
            <input id="pause-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
          </ConfirmDialog>
          <ConfirmDialog open={dialog === "resume"} title={`Resume ${a.name}?`} confirmLabel="Resume agent" busy={busy} onCancel={() => setDialog(null)} onConfirm={() => void act("resume")}>
            <p>It can get tokens and make calls again.</p>
          </ConfirmDialog>
          <ConfirmDialog open={dialog === "delete"} title={`Delete ${a.name}?`} confirmLabel="Delete agent" busy={busy} onCancel={() => setDialog(null)} onConfirm={() => void act("delete")}>
            <p>Its credentials stop working at once. Its past runs stay in the run history. This cannot be undone.</p>
          </ConfirmDialog>
        </>
      )}
    </Async>
  );
}

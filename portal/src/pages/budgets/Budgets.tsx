import { useState } from "react";
import { Link } from "react-router";
import { api, call, collect, type Agent, type Schemas } from "../../api/client";
import { messageOf } from "../../api/errors";
import { roleAtLeast, useAuth } from "../../auth/AuthContext";
import { Badge } from "../../components/Badge";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { FormError } from "../../components/Field";
import { usd, when } from "../../components/format";
import { Async, Empty } from "../../components/States";
import { useApi } from "../../components/useApi";
import { meter, pausedBy, percent } from "./meter";

type Budget = Schemas["Budget"];

export function budgetLabel(b: Budget): string {
  return b.name ?? `${b.scope === "org" ? "Organisation" : `${b.scope} ${b.scope_id ?? ""}`} ${b.period}`;
}

function Bar({ b }: { b: Budget }) {
  const m = meter(b);
  const summary = `${usd(b.current_spend_usd)} spent (${percent(m.spentPercent)}) and ${usd(b.reserved_usd)} reserved of ${usd(b.max_amount_usd)}; alert at ${b.threshold_alert_percent} %${b.auto_pause_at_percent ? `, auto-pause at ${b.auto_pause_at_percent} %` : ""}`;
  return (
    <div className="budget-meter">
      <div className={`bar bar-${m.state}`} role="img" aria-label={summary}>
        <span className="bar-spent" style={{ width: `${m.spentWidth}%` }} />
        <span className="bar-reserved" style={{ width: `${m.reservedWidth}%` }} />
        <span className="bar-mark bar-mark-alert" style={{ left: `${m.alertAt}%` }} title={`alert at ${b.threshold_alert_percent} %`} />
        {m.pauseAt !== null && <span className="bar-mark bar-mark-pause" style={{ left: `${m.pauseAt}%` }} title={`auto-pause at ${b.auto_pause_at_percent} %`} />}
        {m.scale > 100 && <span className="bar-mark bar-mark-max" style={{ left: `${(100 / m.scale) * 100}%` }} title="100 %" />}
      </div>
      <p className="small">
        <strong>{usd(b.current_spend_usd)}</strong> spent ({percent(m.spentPercent)}) · {usd(b.reserved_usd)} reserved · of {usd(b.max_amount_usd)}{" "}
        {b.period} · <span aria-hidden="true">▲</span> alert at {b.threshold_alert_percent} %
        {b.auto_pause_at_percent ? (
          <>
            {" "}
            · <span aria-hidden="true">⏸</span> auto-pause at {b.auto_pause_at_percent} %
          </>
        ) : (
          " · no auto-pause"
        )}
      </p>
    </div>
  );
}

export default function Budgets() {
  const { role } = useAuth();
  const isAdmin = roleAtLeast(role, "admin");
  const canResume = roleAtLeast(role, "team_lead");
  const data = useApi(async () => {
    const [budgets, paused] = await Promise.all([
      collect((cursor) => call(() => api.GET("/api/v1/budgets", { params: { query: { limit: 100, cursor } } }))),
      collect((cursor) => call(() => api.GET("/api/v1/agents", { params: { query: { status: "paused", limit: 100, cursor } } }))),
    ]);
    return { budgets, paused };
  }, []);
  const [dialog, setDialog] = useState<{ kind: "delete"; budget: Budget } | { kind: "resume"; budget: Budget; agents: Agent[] } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function act() {
    if (!dialog) return;
    setBusy(true);
    setError(null);
    try {
      if (dialog.kind === "delete") {
        await call(() => api.DELETE("/api/v1/budgets/{id}", { params: { path: { id: dialog.budget.id } } }));
        setNotice(`Budget ${budgetLabel(dialog.budget)} deleted.`);
      } else {
        for (const agent of dialog.agents) await call(() => api.POST("/api/v1/agents/{id}/resume", { params: { path: { id: agent.id } } }));
        setNotice(`Resumed ${dialog.agents.map((a) => a.name).join(", ")}.`);
      }
      data.reload();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
      setDialog(null);
    }
  }

  return (
    <>
      <div className="page-head">
        <h1>Budgets</h1>
        {isAdmin && (
          <Link to="/app/budgets/new" className="button primary">
            Create a budget
          </Link>
        )}
      </div>
      <FormError message={error} />
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <Async value={data} label="Loading budgets">
        {({ budgets, paused }) =>
          budgets.length === 0 ? (
            <Empty title="No budgets yet: spending is not capped.">
              {isAdmin ? <Link to="/app/budgets/new">Create the first budget</Link> : <p>An admin can create budgets.</p>}
            </Empty>
          ) : (
            <ul className="plain cards-list">
              {budgets.map((b) => {
                const stopped = pausedBy(b.id, paused);
                return (
                  <li key={b.id} className="card" aria-labelledby={`budget-${b.id}`}>
                    <div className="page-head">
                      <h2 id={`budget-${b.id}`}>{budgetLabel(b)}</h2>
                      {isAdmin && (
                        <div className="actions">
                          <Link to={`/app/budgets/${encodeURIComponent(b.id)}/edit`} className="button" aria-label={`Edit budget ${budgetLabel(b)}`}>
                            Edit
                          </Link>
                          <button type="button" className="danger" onClick={() => setDialog({ kind: "delete", budget: b })} aria-label={`Delete budget ${budgetLabel(b)}`}>
                            Delete
                          </button>
                        </div>
                      )}
                    </div>
                    <p className="muted small">
                      {b.scope === "org" ? "The whole organisation" : `${b.scope === "team" ? "Team" : "Agent"} ${b.scope_id}`} · this period{" "}
                      {when(b.period_start)} to {when(b.period_end)}
                      {b.alert_sent ? " · alert sent" : ""}
                    </p>
                    <Bar b={b} />
                    {(b.auto_paused || stopped.length > 0) && (
                      <div className="warning" role="status">
                        <p>
                          ⏸ {stopped.length ? `Paused by budget ${budgetLabel(b)}` : `Budget ${budgetLabel(b)} paused its agents`} at {b.auto_pause_at_percent ?? "its auto-pause"} %
                          {stopped.length ? `: ${stopped.map((a) => a.name).join(", ")}.` : " this period; they have been resumed since."}
                        </p>
                        {stopped.length > 0 && (
                          <ul className="plain">
                            {stopped.map((a) => (
                              <li key={a.id}>
                                <Link to={`/app/agents/${encodeURIComponent(a.id)}`}>{a.name}</Link> <Badge value={a.status} />
                              </li>
                            ))}
                          </ul>
                        )}
                        {stopped.length > 0 &&
                          (canResume ? (
                            <button type="button" onClick={() => setDialog({ kind: "resume", budget: b, agents: stopped })}>
                              Resume {stopped.length === 1 ? stopped[0]!.name : `${stopped.length} agents`}
                            </button>
                          ) : (
                            <p className="muted">Resuming needs the team lead role or higher.</p>
                          ))}
                      </div>
                    )}
                  </li>
                );
              })}
            </ul>
          )
        }
      </Async>
      <ConfirmDialog
        open={dialog !== null}
        title={
          dialog?.kind === "delete"
            ? `Delete budget ${budgetLabel(dialog.budget)}?`
            : dialog
              ? `Resume ${dialog.agents.map((a) => a.name).join(", ")}?`
              : ""
        }
        confirmLabel={dialog?.kind === "delete" ? "Delete budget" : "Resume agents"}
        busy={busy}
        onCancel={() => setDialog(null)}
        onConfirm={() => void act()}
      >
        <p>
          {dialog?.kind === "delete"
            ? "Spending in its scope is no longer capped, alerted or paused by it. This cannot be undone."
            : "They get tokens and may call the API again although the budget is spent: it pauses once per period, so they keep running until the next period unless paused by hand."}
        </p>
      </ConfirmDialog>
    </>
  );
}

import { useEffect, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api, call, collect, type Agent, type Schemas } from "../../api/client";
import { ApiError, messageOf } from "../../api/errors";
import { roleAtLeast, useAuth } from "../../auth/AuthContext";
import { Field, FormError } from "../../components/Field";
import { ErrorState, Forbidden, Loading } from "../../components/States";

type Budget = Schemas["Budget"];

interface Draft {
  name: string;
  scope: "org" | "team" | "agent";
  scopeId: string;
  max: string;
  period: "daily" | "weekly" | "monthly";
  alert: string;
  pause: string;
}

const EMPTY: Draft = { name: "", scope: "org", scopeId: "", max: "", period: "monthly", alert: "80", pause: "" };

function fromBudget(b: Budget): Draft {
  return {
    name: b.name ?? "",
    scope: b.scope,
    scopeId: b.scope_id ?? "",
    max: b.max_amount_usd,
    period: b.period,
    alert: String(b.threshold_alert_percent),
    pause: b.auto_pause_at_percent ? String(b.auto_pause_at_percent) : "",
  };
}

/** A number as typed, or the text itself so the API names what is wrong with it. */
const num = (text: string) => (text.trim() !== "" && Number.isFinite(Number(text)) ? Number(text) : (text as unknown as number));

export default function BudgetForm() {
  const { id } = useParams();
  const { role } = useAuth();
  const navigate = useNavigate();
  const [draft, setDraft] = useState<Draft | null>(id ? null : EMPTY);
  const [agents, setAgents] = useState<Agent[]>([]);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void collect((cursor) => call(() => api.GET("/api/v1/agents", { params: { query: { limit: 100, cursor } } }))).then(setAgents, () => setAgents([]));
    if (!id) return;
    call(() => api.GET("/api/v1/budgets/{id}", { params: { path: { id } } })).then(
      (b) => setDraft(fromBudget(b)),
      (e: unknown) => setLoadError(e instanceof ApiError ? e : new ApiError(0, "client_error", messageOf(e))),
    );
  }, [id]);

  const title = id ? "Edit budget" : "Create a budget";
  if (role !== null && !roleAtLeast(role, "admin")) return <><h1>{title}</h1><Forbidden what="budget changes (they need the admin role)" /></>;
  if (loadError) return <><h1>{title}</h1><ErrorState error={loadError} /></>;
  if (!draft) return <Loading label="Loading the budget" />;
  const set = (key: keyof Draft) => (e: { target: { value: string } }) => setDraft({ ...draft, [key]: e.target.value });

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!draft) return;
    setBusy(true);
    setErrors({});
    setFormError(null);
    const common = {
      name: draft.name.trim() || null,
      max_amount_usd: draft.max.trim(),
      threshold_alert_percent: num(draft.alert),
      auto_pause_at_percent: draft.pause.trim() ? num(draft.pause) : null,
    };
    try {
      if (id) await call(() => api.PATCH("/api/v1/budgets/{id}", { params: { path: { id } }, body: common }));
      else
        await call(() =>
          api.POST("/api/v1/budgets", {
            body: { ...common, scope: draft.scope, period: draft.period, ...(draft.scope === "org" ? {} : { scope_id: draft.scopeId.trim() || null }) },
          }),
        );
      navigate("/app/budgets");
    } catch (err) {
      if (err instanceof ApiError) {
        setErrors(err.fieldErrors());
        const whole = err.details.filter((d) => !d.field || d.field === "body").map((d) => String(d.message ?? "").replace(/^Value error,\s*/, ""));
        setFormError([err.message, ...whole].join(": ") + (err.details.length ? ". Check the fields marked below." : ""));
      } else setFormError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h1>{title}</h1>
      <form onSubmit={submit} noValidate className="narrow">
        <FormError message={formError} />
        <Field id="b-name" label="Name (optional)" value={draft.name} onChange={set("name")} hint="e.g. Daily cap" error={errors.name} />
        <Field id="b-scope" label="Applies to" error={errors.scope} hint={id ? "Scope and period are fixed once created." : undefined}>
          <select id="b-scope" value={draft.scope} onChange={set("scope")} disabled={Boolean(id)}>
            <option value="org">The whole organisation</option>
            <option value="team">One team</option>
            <option value="agent">One agent</option>
          </select>
        </Field>
        {draft.scope === "team" && <Field id="b-team" label="Team" value={draft.scopeId} onChange={set("scopeId")} disabled={Boolean(id)} error={errors.scope_id} />}
        {draft.scope === "agent" && (
          <Field id="b-agent" label="Agent" error={errors.scope_id}>
            <select id="b-agent" value={draft.scopeId} onChange={set("scopeId")} disabled={Boolean(id)} aria-invalid={errors.scope_id ? true : undefined}>
              <option value="">Choose an agent</option>
              {agents.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </Field>
        )}
        <Field id="b-period" label="Period" error={errors.period}>
          <select id="b-period" value={draft.period} onChange={set("period")} disabled={Boolean(id)}>
            <option value="daily">Daily (UTC days)</option>
            <option value="weekly">Weekly (from Monday, UTC)</option>
            <option value="monthly">Monthly (UTC)</option>
          </select>
        </Field>
        <Field id="b-max" label="Maximum in USD" inputMode="decimal" value={draft.max} onChange={set("max")} required error={errors.max_amount_usd} />
        <Field id="b-alert" label="Alert at (% of the maximum)" inputMode="numeric" value={draft.alert} onChange={set("alert")} hint="A budget.threshold_crossed webhook event, once per period; 1 to 100." error={errors.threshold_alert_percent} />
        <Field id="b-pause" label="Auto-pause at (% of the maximum, optional)" inputMode="numeric" value={draft.pause} onChange={set("pause")} hint="Pauses the agents in scope once per period; empty: never." error={errors.auto_pause_at_percent} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Saving…" : id ? "Save budget" : "Create budget"}
          </button>
          <Link to="/app/budgets" className="button">
            Cancel
          </Link>
        </div>
      </form>
    </>
  );
}

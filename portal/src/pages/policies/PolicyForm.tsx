import { useEffect, useMemo, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api, call, collect, type Agent, type Schemas } from "../../api/client";
import { ApiError, messageOf } from "../../api/errors";
import { roleAtLeast, useAuth } from "../../auth/AuthContext";
import { Field, FormError } from "../../components/Field";
import { ErrorState, Forbidden, Loading } from "../../components/States";
import { splitList } from "../agents/AgentForm";
import { ConditionEditor } from "./ConditionEditor";
import { comparison, conditionErrorAt, ConditionJsonError, fromConditions, group, toConditions, type GroupNode, type LocatedError } from "./conditions";
import { PolicyTest } from "./PolicyTest";

type Policy = Schemas["Policy"];
export type PolicyBody = Schemas["PolicyCreate"];

interface Draft {
  name: string;
  description: string;
  action: "allow" | "deny" | "require_approval";
  status: "active" | "disabled";
  agents: string[];
  teams: string;
  approvers: string;
  escalation: string;
  timeout: string;
  fourEyes: "" | "on" | "off";
  conditions: GroupNode | null;
}

const EMPTY: Draft = {
  name: "",
  description: "",
  action: "require_approval",
  status: "active",
  agents: [],
  teams: "",
  approvers: "role:admin",
  escalation: "",
  timeout: "3600",
  fourEyes: "",
  conditions: group("all", [comparison("action", "eq", "")]),
};

function fromPolicy(p: Policy): Draft {
  return {
    name: p.name,
    description: p.description,
    action: p.action,
    status: p.status,
    agents: p.scope.agents,
    teams: p.scope.teams.join(", "),
    approvers: p.approvers.join(", "),
    escalation: p.escalation_approvers.join(", "),
    timeout: p.approval_timeout_seconds ? String(p.approval_timeout_seconds) : "3600",
    fourEyes: p.four_eyes === true ? "on" : p.four_eyes === false ? "off" : "",
    conditions: fromConditions(p.conditions),
  };
}

/** The request body of the draft (what POST, PATCH and the dry run take). */
export function bodyOf(d: Draft): PolicyBody {
  const approval = d.action === "require_approval";
  const timeout = Number(d.timeout);
  return {
    name: d.name,
    description: d.description,
    action: d.action,
    status: d.status,
    scope: { agents: d.agents, teams: splitList(d.teams) },
    conditions: toConditions(d.conditions),
    approvers: approval ? splitList(d.approvers) : [],
    escalation_approvers: approval ? splitList(d.escalation) : [],
    approval_timeout_seconds: approval && d.timeout.trim() ? (Number.isFinite(timeout) ? timeout : (d.timeout as unknown as number)) : null,
    four_eyes: approval && d.fourEyes ? d.fourEyes === "on" : null,
  };
}

/** The API's errors split into the form's fields and the condition nodes they name. */
export function splitErrors(err: ApiError, prefix = ""): { fields: Record<string, string>; conditions: Map<string, LocatedError>; rest: string[] } {
  const fields: Record<string, string> = {};
  const conditions = new Map<string, LocatedError>();
  const rest: string[] = [];
  for (const d of err.details) {
    let field = typeof d.field === "string" ? d.field : "";
    if (prefix && field.startsWith(prefix)) field = field.slice(prefix.length);
    const message = String(d.message ?? "Invalid value.");
    if (field === "conditions" || field.startsWith("conditions.")) {
      const located = conditionErrorAt(message);
      conditions.set(located.path, located);
    } else if (field && field !== "body" && !(prefix && field === prefix.replace(/\.$/, ""))) {
      const name = field.split(".")[0] ?? field;
      fields[name] = fields[name] ?? message.replace(/^Value error,\s*/, "");
    } else rest.push(message.replace(/^Value error,\s*/, ""));
  }
  return { fields, conditions, rest };
}

export default function PolicyForm() {
  const { id } = useParams();
  const { role } = useAuth();
  const navigate = useNavigate();
  const [draft, setDraft] = useState<Draft | null>(id ? null : EMPTY);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [agents, setAgents] = useState<Agent[]>([]);
  const [mode, setMode] = useState<"editor" | "json">("editor");
  const [jsonText, setJsonText] = useState("");
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [errors, setErrors] = useState<ReturnType<typeof splitErrors>>({ fields: {}, conditions: new Map(), rest: [] });
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void collect((cursor) => call(() => api.GET("/api/v1/agents", { params: { query: { limit: 100, cursor } } }))).then(setAgents, () => setAgents([]));
    if (!id) return;
    call(() => api.GET("/api/v1/policies/{id}", { params: { path: { id } } }))
      .then((p) => setDraft(fromPolicy(p)))
      .catch((e: unknown) => setLoadError(e instanceof ApiError ? e : new ApiError(0, "client_error", messageOf(e))));
  }, [id]);

  const body = useMemo(() => (draft ? bodyOf(draft) : null), [draft]);
  const title = id ? `Edit policy ${draft?.name ?? ""}`.trim() : "Create a policy";
  if (role !== null && !roleAtLeast(role, "admin")) return <><h1>{title}</h1><Forbidden what="policy changes (they need the admin role)" /></>;
  if (loadError) return <><h1>Edit policy</h1><ErrorState error={loadError} /></>;
  if (!draft || !body) return <Loading label="Loading the policy" />;

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft({ ...draft, [key]: value });

  function showJson() {
    setJsonText(JSON.stringify(toConditions(draft!.conditions), null, 2));
    setJsonError(null);
    setMode("json");
  }

  /** Parse the JSON view into the editor; false (with the problem shown) when it does not parse. */
  function applyJson(): boolean {
    try {
      const parsed: unknown = jsonText.trim() ? JSON.parse(jsonText) : null;
      const tree = fromConditions(parsed);
      setDraft({ ...draft!, conditions: tree });
      setJsonError(null);
      return true;
    } catch (err) {
      setJsonError(err instanceof ConditionJsonError ? err.message : `Not JSON: ${messageOf(err)}`);
      return false;
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (mode === "json" && !applyJson()) return;
    const current = mode === "json" ? { ...draft!, conditions: fromConditions(jsonText.trim() ? JSON.parse(jsonText) : null) } : draft!;
    setBusy(true);
    setErrors({ fields: {}, conditions: new Map(), rest: [] });
    setFormError(null);
    try {
      const payload = bodyOf(current);
      if (id) await call(() => api.PATCH("/api/v1/policies/{id}", { params: { path: { id } }, body: payload }));
      else await call(() => api.POST("/api/v1/policies", { body: payload }));
      navigate("/app/policies");
    } catch (err) {
      if (err instanceof ApiError) {
        const split = splitErrors(err);
        setErrors(split);
        if (split.conditions.size && mode === "json") setMode("editor");
        setFormError(err.details.length ? `${err.message}. ${split.rest.join(" ")} Check the fields marked below.`.replace(/\.\./g, ".") : err.message);
      } else setFormError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  const approval = draft.action === "require_approval";
  const fe = errors.fields;
  return (
    <>
      <h1>{title}</h1>
      <form onSubmit={submit} noValidate className="policy-form">
        <FormError message={formError} />
        <Field id="p-name" label="Name" value={draft.name} onChange={(e) => set("name", e.target.value)} required error={fe.name} />
        <Field id="p-description" label="Description" value={draft.description} onChange={(e) => set("description", e.target.value)} error={fe.description} />
        <Field id="p-action" label="Decision" error={fe.action}>
          <select id="p-action" value={draft.action} onChange={(e) => set("action", e.target.value as Draft["action"])} aria-invalid={fe.action ? true : undefined}>
            <option value="require_approval">Require approval by a person</option>
            <option value="deny">Deny</option>
            <option value="allow">Allow</option>
          </select>
        </Field>
        <Field id="p-status" label="Status" error={fe.status}>
          <select id="p-status" value={draft.status} onChange={(e) => set("status", e.target.value as Draft["status"])}>
            <option value="active">Active: it decides the requests it matches</option>
            <option value="disabled">Disabled: kept, but decides nothing</option>
          </select>
        </Field>

        <fieldset className={fe.scope ? "field-invalid" : ""}>
          <legend>Applies to (no agent and no team: every agent)</legend>
          {agents.length === 0 ? (
            <p className="muted">No agents registered yet.</p>
          ) : (
            <ul className="plain checks">
              {agents.map((a) => (
                <li key={a.id}>
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={draft.agents.includes(a.id)}
                      onChange={(e) => set("agents", e.target.checked ? [...draft.agents, a.id] : draft.agents.filter((x) => x !== a.id))}
                    />{" "}
                    {a.name} <span className="muted mono small">{a.id}</span>
                  </label>
                </li>
              ))}
            </ul>
          )}
          <Field id="p-teams" label="Teams" value={draft.teams} onChange={(e) => set("teams", e.target.value)} hint="Separated by commas: the agents of these teams." error={fe.scope} />
        </fieldset>

        {approval && (
          <fieldset>
            <legend>Approval</legend>
            <Field id="p-approvers" label="Approvers" value={draft.approvers} onChange={(e) => set("approvers", e.target.value)} hint="role:member, role:team_lead, role:admin or role:owner (that role or higher), or e-mail addresses and user ids; separated by commas. None: admins." error={fe.approvers} />
            <Field id="p-timeout" label="Timeout (seconds)" inputMode="numeric" value={draft.timeout} onChange={(e) => set("timeout", e.target.value)} hint="How long each wait lasts, 1 s to 7 days." error={fe.approval_timeout_seconds} />
            <Field id="p-escalation" label="Escalation approvers" value={draft.escalation} onChange={(e) => set("escalation", e.target.value)} hint="Added after the first timeout, for one more wait; none: the request expires." error={fe.escalation_approvers} />
            <Field id="p-four-eyes" label="Four eyes" error={fe.four_eyes}>
              <select id="p-four-eyes" value={draft.fourEyes} onChange={(e) => set("fourEyes", e.target.value as Draft["fourEyes"])}>
                <option value="">The tenant default</option>
                <option value="on">On: the agent's registrant may not decide</option>
                <option value="off">Off: any approver may decide</option>
              </select>
            </Field>
          </fieldset>
        )}

        <section aria-labelledby="conditions-h" className="card">
          <div className="page-head">
            <h2 id="conditions-h">When</h2>
            <div className="tabs" role="group" aria-label="Condition view">
              <button type="button" aria-pressed={mode === "editor"} onClick={() => mode === "json" && applyJson() && setMode("editor")}>
                Editor
              </button>
              <button type="button" aria-pressed={mode === "json"} onClick={() => mode === "editor" && showJson()}>
                JSON
              </button>
            </div>
          </div>
          {mode === "editor" ? (
            draft.conditions ? (
              <ConditionEditor root={draft.conditions} onChange={(root) => set("conditions", root)} errors={errors.conditions} />
            ) : (
              <div>
                <p>No conditions: the policy matches every request of the agents in its scope.</p>
                <button type="button" onClick={() => set("conditions", group("all", [comparison()]))}>
                  + Add a condition
                </button>
              </div>
            )
          ) : (
            <div className={`field${jsonError ? " field-invalid" : ""}`}>
              <label htmlFor="p-json">Conditions as JSON (empty: none)</label>
              <textarea
                id="p-json"
                className="mono"
                rows={12}
                value={jsonText}
                onChange={(e) => setJsonText(e.target.value)}
                aria-invalid={jsonError ? true : undefined}
                aria-describedby={jsonError ? "p-json-error" : undefined}
              />
              {jsonError && (
                <p id="p-json-error" className="field-error" role="alert">
                  ⚠ {jsonError}
                </p>
              )}
            </div>
          )}
        </section>

        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Saving…" : id ? "Save policy" : "Create policy"}
          </button>
          <Link to="/app/policies" className="button">
            Cancel
          </Link>
        </div>
      </form>
      <PolicyTest agents={agents} draft={body} policyId={id} />
    </>
  );
}

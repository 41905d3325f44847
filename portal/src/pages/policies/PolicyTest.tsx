import { useState, type FormEvent } from "react";
import { api, call, type Agent, type Schemas } from "../../api/client";
import { ApiError, messageOf } from "../../api/errors";
import { Badge } from "../../components/Badge";
import { Field, FormError } from "../../components/Field";
import { usd, when } from "../../components/format";
import { conditionErrorAt } from "./conditions";
import type { PolicyBody } from "./PolicyForm";

type Evaluation = Schemas["PolicyEvaluation"];

/** The dry run: what /authorize would answer for an agent with this draft in place, nothing written. */
export function PolicyTest({ agents, draft, policyId }: { agents: Agent[]; draft: PolicyBody; policyId: string | undefined }) {
  const [agentId, setAgentId] = useState("");
  const [action, setAction] = useState("");
  const [resource, setResource] = useState("");
  const [context, setContext] = useState("");
  const [cost, setCost] = useState("");
  const [at, setAt] = useState("");
  const [result, setResult] = useState<Evaluation | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const chosen = agentId || agents[0]?.id || "";

  async function run(event: FormEvent) {
    event.preventDefault();
    setErrors({});
    setFormError(null);
    setResult(null);
    let parsedContext: Record<string, unknown> = {};
    if (context.trim()) {
      try {
        parsedContext = JSON.parse(context) as Record<string, unknown>;
      } catch (err) {
        setErrors({ context: `Not JSON: ${messageOf(err)}` });
        return;
      }
    }
    setBusy(true);
    try {
      const answer = await call(() =>
        api.POST("/api/v1/policies/evaluate", {
          body: {
            agent_id: chosen,
            action,
            ...(resource ? { resource } : {}),
            context: parsedContext,
            ...(cost ? { estimated_cost_usd: cost } : {}),
            ...(at ? { at: `${at}:00Z` } : {}),
            policy: draft,
            ...(policyId ? { policy_id: policyId } : {}),
          },
        }),
      );
      setResult(answer);
    } catch (err) {
      if (err instanceof ApiError) {
        const fields: Record<string, string> = {};
        const about: string[] = [];
        for (const d of err.details) {
          const field = typeof d.field === "string" ? d.field : "";
          const message = String(d.message ?? "").replace(/^Value error,\s*/, "");
          if (field.startsWith("policy")) {
            const located = field.startsWith("policy.conditions") ? conditionErrorAt(message) : null;
            about.push(`the policy's ${located ? `${located.path}${located.part ? `.${located.part}` : ""}` : field.replace(/^policy\.?/, "") || "fields"}: ${located ? located.message : message}`);
          } else if (field) fields[field.split(".")[0] ?? field] = message;
        }
        setErrors(fields);
        setFormError(about.length ? `${err.message}. Fix the policy above first: ${about.join("; ")}.` : err.message);
      } else setFormError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="test-h" className="card">
      <h2 id="test-h">Test this policy</h2>
      <p className="muted">
        Asks <code>POST /api/v1/policies/evaluate</code> what <code>/authorize</code> would answer with this draft in place of{" "}
        {policyId ? "the saved version" : "nothing"}, beside the other policies. Nothing is recorded, no approval starts and no budget is held.
      </p>
      <form onSubmit={run} noValidate>
        <FormError message={formError} />
        <div className="two">
          <Field id="t-agent" label="Agent" error={errors.agent_id}>
            <select id="t-agent" value={chosen} onChange={(e) => setAgentId(e.target.value)}>
              {agents.length === 0 && <option value="">No agents registered</option>}
              {agents.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name} ({a.team ? `team ${a.team}` : "no team"})
                </option>
              ))}
            </select>
          </Field>
          <Field id="t-action" label="Action" value={action} onChange={(e) => setAction(e.target.value)} hint="e.g. deploy, payments.refund" error={errors.action} />
          <Field id="t-resource" label="Resource (optional)" value={resource} onChange={(e) => setResource(e.target.value)} error={errors.resource} />
          <Field id="t-cost" label="Estimated cost in USD (optional)" inputMode="decimal" value={cost} onChange={(e) => setCost(e.target.value)} error={errors.estimated_cost_usd} />
          <Field id="t-at" label="At (UTC, optional; default now)" type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} error={errors.at} />
        </div>
        <Field id="t-context" label="Context as JSON (optional)" error={errors.context}>
          <textarea id="t-context" className="mono" rows={3} value={context} onChange={(e) => setContext(e.target.value)} placeholder='{"env": "production"}' aria-invalid={errors.context ? true : undefined} aria-describedby={errors.context ? "t-context-error" : undefined} />
        </Field>
        <button type="submit" disabled={busy || !chosen}>
          {busy ? "Testing…" : "Run the test"}
        </button>
      </form>
      {result && (
        <div className="test-result" role="status" aria-live="polite" data-testid="test-result">
          <p>
            Decision: <Badge value={result.decision} /> <span className="muted">at {when(result.evaluated_at)}</span>
          </p>
          {result.tested_policy && (
            <p>
              This policy {result.tested_policy.applies ? "applies" : "does not apply"}
              {!result.tested_policy.active ? " (it is disabled)" : ""}
              {!result.tested_policy.in_scope ? " (the agent is outside its scope)" : ""}
              {result.tested_policy.in_scope && !result.tested_policy.conditions_match ? " (its conditions do not hold)" : ""}
              {result.tested_policy.applies && !result.tested_policy.decides ? ", but another policy's effect wins" : ""}.
            </p>
          )}
          <ul>
            {result.reasons.map((r, i) => (
              <li key={i}>{r.message}</li>
            ))}
          </ul>
          {result.budget_remaining_usd != null && <p>Left in the agent's tightest budget: {usd(result.budget_remaining_usd)}</p>}
        </div>
      )}
    </section>
  );
}

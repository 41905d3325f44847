import { useEffect, useMemo, useReducer, useState, type FormEvent } from "react";
import { Link } from "react-router";
import { api, call } from "../../api/client";
import { ApiError, messageOf } from "../../api/errors";
import { CopyButton, Secret } from "../../components/CopyButton";
import { Field, FormError } from "../../components/Field";
import { usd } from "../../components/format";
import { curlSnippet, firstRunId, initialWizard, pollDelayMs, pythonSnippet, wizardReducer, type Step } from "./wizardState";

const STEPS: [Step, string][] = [
  ["name", "Name your agent"],
  ["credentials", "Save its credentials"],
  ["snippet", "Send a first run"],
  ["arrived", "See it arrive"],
];

function Progress({ step }: { step: Step }) {
  const current = step === "waiting" ? "snippet" : step;
  const index = STEPS.findIndex(([s]) => s === current);
  return (
    <ol className="wizard-progress" aria-label="Set-up progress">
      {STEPS.map(([s, label], i) => (
        <li key={s} aria-current={i === index ? "step" : undefined} className={i < index ? "done" : i === index ? "current" : ""}>
          <span aria-hidden="true">{i < index ? "✓" : i + 1}</span> {label}
          {i < index && <span className="visually-hidden"> (done)</span>}
        </li>
      ))}
    </ol>
  );
}

export default function Wizard() {
  const [state, dispatch] = useReducer(wizardReducer, undefined, () => initialWizard(firstRunId()));
  const [name, setName] = useState("my-first-agent");
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [tab, setTab] = useState<"curl" | "python">("curl");
  const startedAt = useMemo(() => new Date(), []);

  async function create(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFieldErrors({});
    try {
      const agent = await call(() =>
        api.POST("/api/v1/agents", {
          body: { name, description: "Created by the set-up wizard", scopes: ["runs:write"], tags: ["onboarding"] },
        }),
      );
      const credential = await call(() =>
        api.POST("/api/v1/agents/{id}/credentials", { params: { path: { id: agent.id } }, body: {} }),
      );
      dispatch({ type: "created", agent, credential });
    } catch (err) {
      if (err instanceof ApiError) setFieldErrors(err.fieldErrors());
      dispatch({ type: "failed", message: messageOf(err) });
    } finally {
      setBusy(false);
    }
  }

  // Wait for the run the snippet sends: poll with backoff while the snippet step is open.
  const polling = state.step === "snippet" || state.step === "waiting";
  useEffect(() => {
    if (!polling) return;
    const timer = setTimeout(async () => {
      try {
        const run = await call(() => api.GET("/api/v1/runs/{id}", { params: { path: { id: state.runId } } }));
        dispatch({ type: "arrived", run });
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 404) dispatch({ type: "failed", message: messageOf(err) });
        dispatch({ type: "polled" });
      }
    }, pollDelayMs(state.polls));
    return () => clearTimeout(timer);
  }, [polling, state.polls, state.runId]);

  const snippetInput =
    state.credential &&
    ({
      apiUrl: window.location.origin,
      clientId: state.credential.client_id,
      clientSecret: state.credential.client_secret,
      runId: state.runId,
      startedAt,
    } as const);
  const snippet = snippetInput ? (tab === "curl" ? curlSnippet(snippetInput) : pythonSnippet(snippetInput)) : "";

  return (
    <div className="wizard">
      <h1>Set up your first agent</h1>
      <Progress step={state.step} />

      {state.step === "name" && (
        <form onSubmit={create} noValidate className="narrow">
          <FormError message={state.error} />
          <Field
            id="agent-name"
            label="Agent name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            hint="What your agent does, e.g. support-triage. You can rename it later."
            error={fieldErrors.name}
          />
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Creating…" : "Create agent and credentials"}
          </button>
        </form>
      )}

      {state.step === "credentials" && state.credential && (
        <section aria-labelledby="cred-title" className="narrow">
          <h2 id="cred-title">Credentials for {state.agent?.name}</h2>
          <div className="warning" role="alert">
            ⚠ <strong>The client secret is shown only once.</strong> Store it in your secret manager now; if you lose it,
            rotate the credential from the agent's page.
          </div>
          <Secret label="Client id" value={state.credential.client_id} />
          <Secret label="Client secret" value={state.credential.client_secret} />
          <div className="check">
            <input
              type="checkbox"
              id="secret-saved"
              checked={state.secretSaved}
              onChange={(e) => dispatch({ type: "secretSaved", saved: e.target.checked })}
            />
            <label htmlFor="secret-saved">I have stored the client secret</label>
          </div>
          <button type="button" className="primary" disabled={!state.secretSaved} onClick={() => dispatch({ type: "next" })}>
            Next: send a first run
          </button>
        </section>
      )}

      {(state.step === "snippet" || state.step === "waiting") && (
        <section aria-labelledby="snippet-title">
          <h2 id="snippet-title">Send a first run</h2>
          <p>
            Run this in a terminal. It gets an access token with the agent's credentials and reports one run, which is
            priced from its model and token usage.
          </p>
          <div role="tablist" aria-label="Snippet language" className="tabs">
            {(["curl", "python"] as const).map((t) => (
              <button key={t} type="button" role="tab" id={`tab-${t}`} aria-selected={tab === t} aria-controls="snippet-panel" onClick={() => setTab(t)}>
                {t === "curl" ? "curl" : "Python"}
              </button>
            ))}
          </div>
          <div role="tabpanel" id="snippet-panel" aria-labelledby={`tab-${tab}`} className="code">
            <pre tabIndex={0} data-testid="snippet">
              <code>{snippet}</code>
            </pre>
            <CopyButton text={snippet} label={`${tab} snippet`} />
          </div>
          <div className="waiting" role="status" aria-live="polite">
            <span className="spinner" aria-hidden="true" /> Waiting for run <code>{state.runId}</code>… (checked{" "}
            {state.polls} {state.polls === 1 ? "time" : "times"}, next in {Math.round(pollDelayMs(state.polls) / 1000)} s)
          </div>
          {state.error && <FormError message={state.error} />}
        </section>
      )}

      {state.step === "arrived" && state.run && (
        <section aria-labelledby="arrived-title" className="narrow">
          <h2 id="arrived-title">✓ Your first run arrived</h2>
          <dl className="facts" data-testid="first-run">
            <dt>Run</dt>
            <dd><code>{state.run.run_id}</code></dd>
            <dt>Status</dt>
            <dd>{state.run.status}</dd>
            <dt>Model</dt>
            <dd>{state.run.model ?? "—"}</dd>
            <dt>Tokens</dt>
            <dd>{state.run.token_usage.input} in / {state.run.token_usage.output} out</dd>
            <dt>Cost</dt>
            <dd data-testid="first-run-cost">{state.run.unpriced ? "unpriced" : usd(state.run.cost_usd)}</dd>
            <dt>Price version</dt>
            <dd>{state.run.price_version ?? "—"}</dd>
          </dl>
          <p className="hero-actions">
            <Link to={`/app/runs/${encodeURIComponent(state.run.id)}`} className="button primary">
              Open its timeline
            </Link>
            <Link to="/app" className="button">
              Go to the dashboard
            </Link>
          </p>
        </section>
      )}
    </div>
  );
}

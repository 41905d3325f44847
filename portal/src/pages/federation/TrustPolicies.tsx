import { useState } from "react";
import "../admin.css";
import { api, call, collect, type Agent, type Schemas } from "../../api/client";
import { ApiError, messageOf } from "../../api/errors";
import { roleAtLeast, useAuth } from "../../auth/AuthContext";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { CopyButton } from "../../components/CopyButton";
import { Field, FormError } from "../../components/Field";
import { when } from "../../components/format";
import { Async, Empty } from "../../components/States";
import { useApi } from "../../components/useApi";
import {
  GITHUB_ISSUER,
  apiClaimProblems,
  claimProblems,
  claimsToRows,
  grantableScopes,
  hasProblems,
  newRow,
  pinnedClaims,
  rowsToClaims,
  workflowSnippet,
  type ClaimProblems,
  type ClaimRow,
} from "./claims";

type TrustPolicy = Schemas["TrustPolicy"];

function initialRows(): ClaimRow[] {
  return [newRow("repository_id"), newRow("ref", "refs/heads/main")];
}

function ClaimRows({
  rows,
  problems,
  issuer,
  onChange,
}: {
  rows: ClaimRow[];
  problems: ClaimProblems;
  issuer: string;
  onChange: (rows: ClaimRow[]) => void;
}) {
  const update = (key: number, patch: Partial<ClaimRow>) => onChange(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  return (
    <fieldset className="claims" aria-describedby={`claims-hint${problems.claims ? " claims-error" : ""}`}>
      <legend>Claims</legend>
      <p id="claims-hint" className="hint">
        Every claim must match the ID token exactly; a <code>*</code> glob is allowed on <code>ref</code>, <code>sub</code>{" "}
        and <code>workflow_ref</code> only. Pin at least one immutable id: {pinnedClaims(issuer).map((c, i) => (
          <span key={c}>
            {i > 0 && ", "}
            <code>{c}</code>
          </span>
        ))}
        {issuer.trim() === GITHUB_ISSUER && <> (find it with <code>gh api repos/OWNER/REPO --jq .id</code>)</>}.
      </p>
      {rows.map((row, index) => {
        const error = problems.rows[row.key];
        const errorId = `claim-${row.key}-error`;
        return (
          <div key={row.key} className={`claim-row${error ? " field-invalid" : ""}`}>
            <div className="field">
              <label htmlFor={`claim-${row.key}-name`}>Claim {index + 1} name</label>
              <input
                id={`claim-${row.key}-name`}
                value={row.name}
                maxLength={64}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? errorId : undefined}
                onChange={(e) => update(row.key, { name: e.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor={`claim-${row.key}-value`}>Claim {index + 1} value</label>
              <input
                id={`claim-${row.key}-value`}
                value={row.value}
                maxLength={512}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? errorId : undefined}
                onChange={(e) => update(row.key, { value: e.target.value })}
              />
            </div>
            <button type="button" onClick={() => onChange(rows.filter((r) => r.key !== row.key))} aria-label={`Remove claim ${index + 1}`}>
              Remove
            </button>
            {error && (
              <p id={errorId} className="field-error" role="alert">
                ⚠ {error}
              </p>
            )}
          </div>
        );
      })}
      <button type="button" onClick={() => onChange([...rows, newRow()])} disabled={rows.length >= 20}>
        Add a claim
      </button>
      {problems.claims && (
        <p id="claims-error" className="field-error" role="alert">
          ⚠ {problems.claims}
        </p>
      )}
    </fieldset>
  );
}

function PolicyDetail({ id, agents, onClose }: { id: string; agents: Agent[]; onClose: () => void }) {
  const policy = useApi(() => call(() => api.GET("/api/v1/oidc/trust-policies/{id}", { params: { path: { id } } })), [id]);
  return (
    <Async value={policy} label="Loading the trust policy">
      {(p) => (
        <section className="card admin-section" aria-labelledby={`policy-${p.id}`}>
          <div className="page-head">
            <h2 id={`policy-${p.id}`}>Trust policy {p.name}</h2>
            <button type="button" onClick={onClose}>
              Close
            </button>
          </div>
          <dl className="facts">
            <dt>Id</dt>
            <dd className="mono">{p.id}</dd>
            <dt>Issuer</dt>
            <dd className="mono wrap">{p.issuer}</dd>
            <dt>Audience</dt>
            <dd className="mono">{p.audience}</dd>
            <dt>Agent</dt>
            <dd>{agents.find((a) => a.id === p.agent_id)?.name ?? ""} <span className="mono">{p.agent_id}</span></dd>
            <dt>Scopes</dt>
            <dd>{p.scopes.map((s) => <span key={s} className="tag">{s}</span>)}</dd>
            <dt>Longest token</dt>
            <dd>{p.max_token_ttl_seconds ? `${p.max_token_ttl_seconds} s` : "the token lifetime"}</dd>
            <dt>Created</dt>
            <dd>{when(p.created_at)} by <span className="mono">{p.created_by}</span></dd>
          </dl>
          <table className="data">
            <caption>Claims the ID token must carry</caption>
            <thead>
              <tr>
                <th scope="col">Claim</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {claimsToRows(p.claims, p.issuer).map((row) => (
                <tr key={row.key}>
                  <td className="mono">{row.name}</td>
                  <td className="mono wrap">{row.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </Async>
  );
}

function WorkflowHelp({ audience, scopes }: { audience: string; scopes: string[] }) {
  const snippet = workflowSnippet(typeof window === "undefined" ? "https://api.agentgate.example" : window.location.origin, audience, scopes);
  return (
    <aside className="card admin-section" aria-labelledby="workflow-help">
      <h2 id="workflow-help">Use it from GitHub Actions</h2>
      <p>
        The job asks GitHub for its OIDC ID token and the <code>issue-token</code> action exchanges it at{" "}
        <code>POST /oauth2/token</code> (<code>grant_type=urn:ietf:params:oauth:grant-type:token-exchange</code>) for a
        short-lived token of the policy's agent. No secret is stored; the workflow needs <code>id-token: write</code>.
      </p>
      <div className="code">
        <pre tabIndex={0} role="region" aria-label="GitHub Actions workflow">{snippet}</pre>
        <CopyButton text={snippet} label="workflow" />
      </div>
    </aside>
  );
}

export default function TrustPolicies() {
  const { role } = useAuth();
  const canWrite = roleAtLeast(role, "admin");
  const policies = useApi(() => call(() => api.GET("/api/v1/oidc/trust-policies", { params: { query: { limit: 100 } } })), []);
  const agents = useApi(
    () => collect((cursor) => call(() => api.GET("/api/v1/agents", { params: { query: { limit: 100, cursor } } })), 500),
    [],
  );
  const [name, setName] = useState("");
  const [issuer, setIssuer] = useState(GITHUB_ISSUER);
  const [audience, setAudience] = useState("agentgate");
  const [rows, setRows] = useState<ClaimRow[]>(initialRows);
  const [agentId, setAgentId] = useState("");
  const [scopes, setScopes] = useState<string[]>([]);
  const [ttl, setTtl] = useState("");
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [claimErrors, setClaimErrors] = useState<ClaimProblems>({ rows: {} });
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<TrustPolicy | null>(null);
  const [busy, setBusy] = useState(false);

  const agentList = agents.state === "ready" ? agents.data : [];
  const agent = agentList.find((a) => a.id === agentId);
  const agentScopes = agent?.scopes ?? [];

  async function create() {
    setError(null);
    setNotice(null);
    setFieldErrors({});
    const problems = claimProblems(issuer, rows);
    setClaimErrors(problems);
    if (hasProblems(problems)) {
      setError("Check the claims: the policy was not created.");
      return;
    }
    setBusy(true);
    try {
      const body: Schemas["TrustPolicyCreate"] = {
        name: name.trim(),
        issuer: issuer.trim(),
        audience: audience.trim(),
        claims: rowsToClaims(rows),
        agent_id: agentId,
        scopes: grantableScopes(scopes, agentScopes),
        max_token_ttl_seconds: ttl.trim() ? Number(ttl) : null,
      };
      const created = await call(() => api.POST("/api/v1/oidc/trust-policies", { body }));
      setNotice(`Trust policy ${created.name} created: ID tokens matching it now get tokens of ${agent?.name ?? created.agent_id}.`);
      setName("");
      setRows(initialRows());
      setScopes([]);
      setTtl("");
      setClaimErrors({ rows: {} });
      policies.reload();
    } catch (err) {
      if (err instanceof ApiError) {
        setFieldErrors(err.fieldErrors());
        setClaimErrors(apiClaimProblems(err.details, rows));
      }
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  async function remove(policy: TrustPolicy) {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await call(() => api.DELETE("/api/v1/oidc/trust-policies/{id}", { params: { path: { id: policy.id } } }));
      if (open === policy.id) setOpen(null);
      setNotice(`Trust policy ${policy.name} deleted: its ID tokens are refused from now on.`);
      policies.reload();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setDeleting(null);
      setBusy(false);
    }
  }

  return (
    <>
      <h1>Trust policies</h1>
      <p className="lead">
        A trust policy lets ID tokens from an external OIDC issuer (a GitHub Actions job, a GitLab pipeline) be exchanged
        for a short-lived token of one agent, with no stored secret.
      </p>
      <FormError message={error} />
      {notice && (
        <p className="verified" role="status">
          {notice}
        </p>
      )}
      {canWrite && (
        <form
          className="card admin-section"
          aria-labelledby="new-policy"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <h2 id="new-policy">Create a trust policy</h2>
          <Field id="policy-name" label="Policy name" required maxLength={100} value={name} error={fieldErrors.name} onChange={(e) => setName(e.target.value)} />
          <Field
            id="policy-issuer"
            label="Issuer"
            required
            value={issuer}
            error={fieldErrors.issuer}
            hint={<>The ID tokens' <code>iss</code>: GitHub Actions is <code>{GITHUB_ISSUER}</code>.</>}
            onChange={(e) => setIssuer(e.target.value)}
          />
          <Field
            id="policy-audience"
            label="Audience"
            required
            value={audience}
            error={fieldErrors.audience}
            hint="The ID token's aud: the workflow asks for it (the issue-token action's audience input)."
            onChange={(e) => setAudience(e.target.value)}
          />
          <ClaimRows rows={rows} problems={claimErrors} issuer={issuer} onChange={setRows} />
          <Field id="policy-agent" label="Agent" error={fieldErrors.agent_id} hint="The tokens issued are this agent's.">
            <select
              id="policy-agent"
              value={agentId}
              aria-invalid={fieldErrors.agent_id ? true : undefined}
              aria-describedby={`policy-agent-hint${fieldErrors.agent_id ? " policy-agent-error" : ""}`}
              onChange={(e) => {
                setAgentId(e.target.value);
                setScopes([]);
              }}
            >
              <option value="">{agents.state === "loading" ? "Loading agents…" : "Choose an agent"}</option>
              {agentList.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </Field>
          {agents.state === "ready" && agentList.length === 0 && <p className="hint">Register an agent first: a policy acts as one.</p>}
          {agent && (
            <fieldset className="checks" aria-describedby={fieldErrors.scopes ? "policy-scopes-error" : undefined}>
              <legend>Scopes (from the agent's)</legend>
              {agentScopes.length === 0 && <p className="hint">{agent.name} holds no scopes: give it some first.</p>}
              {agentScopes.map((scope) => (
                <label key={scope}>
                  <input
                    type="checkbox"
                    checked={scopes.includes(scope)}
                    onChange={(e) => setScopes(e.target.checked ? [...scopes, scope] : scopes.filter((s) => s !== scope))}
                  />
                  <code>{scope}</code>
                </label>
              ))}
            </fieldset>
          )}
          {fieldErrors.scopes && (
            <p id="policy-scopes-error" className="field-error" role="alert">
              ⚠ {fieldErrors.scopes}
            </p>
          )}
          <Field
            id="policy-ttl"
            label="Longest token, in seconds (optional)"
            type="number"
            min={60}
            value={ttl}
            error={fieldErrors.max_token_ttl_seconds}
            hint="At least 60; empty: the usual token lifetime."
            onChange={(e) => setTtl(e.target.value)}
          />
          <button type="submit" className="primary" disabled={busy || !name.trim() || !agentId || scopes.length === 0}>
            Create trust policy
          </button>
        </form>
      )}
      <WorkflowHelp audience={audience} scopes={grantableScopes(scopes, agentScopes)} />
      <h2>Policies</h2>
      <Async value={policies} label="Loading trust policies">
        {(page) =>
          page.items.length === 0 ? (
            <Empty title="No trust policies yet.">{canWrite && <p>Create one above to let a workflow act as an agent.</p>}</Empty>
          ) : (
            <table className="data">
              <caption className="visually-hidden">Trust policies</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Issuer</th>
                  <th scope="col">Agent</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Created</th>
                  <th scope="col"><span className="visually-hidden">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((p) => (
                  <tr key={p.id}>
                    <td>{p.name}</td>
                    <td className="mono wrap">{p.issuer}</td>
                    <td>{agentList.find((a) => a.id === p.agent_id)?.name ?? <span className="mono">{p.agent_id}</span>}</td>
                    <td>{p.scopes.map((s) => <span key={s} className="tag">{s}</span>)}</td>
                    <td>{when(p.created_at)}</td>
                    <td className="actions">
                      <button type="button" aria-expanded={open === p.id} aria-label={`Details of ${p.name}`} onClick={() => setOpen(open === p.id ? null : p.id)}>
                        Details
                      </button>
                      {canWrite && (
                        <button type="button" className="danger" aria-label={`Delete ${p.name}`} onClick={() => setDeleting(p)}>
                          Delete
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Async>
      {open && <PolicyDetail key={open} id={open} agents={agentList} onClose={() => setOpen(null)} />}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete the trust policy ${deleting?.name ?? ""}?`}
        confirmLabel="Delete trust policy"
        busy={busy}
        onCancel={() => setDeleting(null)}
        onConfirm={() => deleting && void remove(deleting)}
      >
        <p>
          ID tokens from <code>{deleting?.issuer}</code> are no longer exchanged under this policy: a workflow that relies on
          it fails its token exchange from now on. This cannot be undone.
        </p>
      </ConfirmDialog>
    </>
  );
}

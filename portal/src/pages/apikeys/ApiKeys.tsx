import { useState } from "react";
import "../admin.css";
import { api, call, type Schemas } from "../../api/client";
import { ApiError, messageOf } from "../../api/errors";
import { roleAtLeast, useAuth } from "../../auth/AuthContext";
import { Badge } from "../../components/Badge";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Secret } from "../../components/CopyButton";
import { Field, FormError } from "../../components/Field";
import { when } from "../../components/format";
import { Pager, useCursorPages } from "../../components/Pager";
import { Async, Empty } from "../../components/States";
import { useApi } from "../../components/useApi";

type Scope = Schemas["ApiKeyCreate"]["scopes"][number];
type ApiKey = Schemas["ApiKey"];

/** What each scope lets a key do (API.md names the routes). */
export const SCOPES: { scope: Scope; what: string }[] = [
  { scope: "agents:read", what: "read agents" },
  { scope: "agents:write", what: "register and change agents" },
  { scope: "agents:control", what: "pause and resume agents" },
  { scope: "runs:read", what: "read runs and events" },
  { scope: "ingest", what: "send runs and traces" },
  { scope: "costs:read", what: "read costs and usage" },
  { scope: "admin", what: "everything a user may do" },
];

export default function ApiKeys() {
  const { role } = useAuth();
  const canWrite = roleAtLeast(role, "admin");
  const pages = useCursorPages();
  const keys = useApi(() => call(() => api.GET("/api/v1/api-keys", { params: { query: { limit: 50, cursor: pages.cursor } } })), [pages.cursor]);
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Scope[]>([]);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<Schemas["CreatedApiKey"] | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [busy, setBusy] = useState(false);

  async function create() {
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      setCreated(await call(() => api.POST("/api/v1/api-keys", { body: { name: name.trim(), scopes } })));
      setName("");
      setScopes([]);
      pages.reset();
      keys.reload();
    } catch (err) {
      if (err instanceof ApiError) setFieldErrors(err.fieldErrors());
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  async function revoke(key: ApiKey) {
    setBusy(true);
    setError(null);
    try {
      await call(() => api.DELETE("/api/v1/api-keys/{id}", { params: { path: { id: key.id } } }));
      keys.reload();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setRevoking(null);
      setBusy(false);
    }
  }

  return (
    <>
      <h1>API keys</h1>
      <p className="lead">Keys for automation (CI, scripts): each carries only the scopes it is given.</p>
      <FormError message={error} />
      {created && (
        <div className="issued card admin-section">
          <div className="warning" role="alert">
            ⚠ <strong>Copy the key now: it is shown only once.</strong> AgentGate keeps only its hash.
          </div>
          <Secret label={`API key ${created.name}`} value={created.key} />
          <button type="button" onClick={() => setCreated(null)}>
            I have stored it: hide
          </button>
        </div>
      )}
      {canWrite && (
        <form
          className="card admin-section"
          aria-labelledby="new-key"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <h2 id="new-key">Create a key</h2>
          <Field id="key-name" label="Key name" value={name} required maxLength={100} error={fieldErrors.name} onChange={(e) => setName(e.target.value)} />
          <fieldset className="checks" aria-describedby={fieldErrors.scopes ? "key-scopes-error" : undefined}>
            <legend>Scopes</legend>
            {SCOPES.map(({ scope, what }) => (
              <label key={scope}>
                <input
                  type="checkbox"
                  checked={scopes.includes(scope)}
                  onChange={(e) => setScopes(e.target.checked ? [...scopes, scope] : scopes.filter((s) => s !== scope))}
                />
                <span>
                  <code>{scope}</code> <span className="muted">({what})</span>
                </span>
              </label>
            ))}
          </fieldset>
          {fieldErrors.scopes && (
            <p id="key-scopes-error" className="field-error" role="alert">
              ⚠ {fieldErrors.scopes}
            </p>
          )}
          <button type="submit" className="primary" disabled={busy || !name.trim() || scopes.length === 0}>
            Create key
          </button>
        </form>
      )}
      <h2>Keys</h2>
      <Async value={keys} label="Loading API keys">
        {(page) =>
          page.items.length === 0 ? (
            <Empty title="No API keys yet.">{canWrite && <p>Create one above for a script or a CI job.</p>}</Empty>
          ) : (
            <>
              <table className="data">
                <caption className="visually-hidden">API keys</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Key</th>
                    <th scope="col">Scopes</th>
                    <th scope="col">Status</th>
                    <th scope="col">Created</th>
                    <th scope="col">Last used</th>
                    {canWrite && <th scope="col"><span className="visually-hidden">Actions</span></th>}
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((k) => (
                    <tr key={k.id}>
                      <td>{k.name}</td>
                      <td className="mono">{k.prefix}…</td>
                      <td>{k.scopes.map((s) => <span key={s} className="tag">{s}</span>)}</td>
                      <td><Badge value={k.status} /></td>
                      <td>{when(k.created_at)}</td>
                      <td>{when(k.last_used_at)}</td>
                      {canWrite && (
                        <td>
                          {k.status === "active" && (
                            <button type="button" className="danger" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
                              Revoke
                            </button>
                          )}
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager page={pages.page} hasNext={Boolean(page.next_cursor)} onPrevious={pages.previous} onNext={() => page.next_cursor && pages.next(page.next_cursor)} />
            </>
          )
        }
      </Async>
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke the key ${revoking?.name ?? ""}?`}
        confirmLabel="Revoke key"
        busy={busy}
        onCancel={() => setRevoking(null)}
        onConfirm={() => revoking && void revoke(revoking)}
      >
        <p>
          Every request made with <code>{revoking?.prefix}…</code> is refused from now on. This cannot be undone: a
          script using it needs a new key.
        </p>
      </ConfirmDialog>
    </>
  );
}

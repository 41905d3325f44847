import { useState } from "react";
import { api, call, type IssuedCredential } from "../../api/client";
import { messageOf } from "../../api/errors";
import { Badge } from "../../components/Badge";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Secret } from "../../components/CopyButton";
import { FormError } from "../../components/Field";
import { when } from "../../components/format";
import { Async, Empty } from "../../components/States";
import { useApi } from "../../components/useApi";

/** The agent's client credentials: create or rotate (the secret shown once), revoke. */
export function Credentials({ agentId, canWrite }: { agentId: string; canWrite: boolean }) {
  const list = useApi(() => call(() => api.GET("/api/v1/agents/{id}/credentials", { params: { path: { id: agentId } } })), [agentId]);
  const [issued, setIssued] = useState<IssuedCredential | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const hasActive = list.state === "ready" && list.data.items.some((c) => c.status === "active");

  async function issue() {
    setBusy(true);
    setError(null);
    try {
      setIssued(await call(() => api.POST("/api/v1/agents/{id}/credentials", { params: { path: { id: agentId } }, body: {} })));
      list.reload();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  async function revoke(credentialId: string) {
    setBusy(true);
    setError(null);
    try {
      await call(() =>
        api.DELETE("/api/v1/agents/{id}/credentials/{credential_id}", { params: { path: { id: agentId, credential_id: credentialId } } }),
      );
      setRevoking(null);
      list.reload();
    } catch (err) {
      setError(messageOf(err));
      setRevoking(null);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="credentials">
      <div className="page-head">
        <h2 id="credentials">Credentials</h2>
        {canWrite && (
          <button type="button" onClick={issue} disabled={busy}>
            {hasActive ? "Rotate secret" : "Create credentials"}
          </button>
        )}
      </div>
      <FormError message={error} />
      {issued && (
        <div className="issued">
          <div className="warning" role="alert">
            ⚠ <strong>Copy the new secret now: it is shown only once.</strong>
            {issued.rotated && issued.previous_secret_valid_until && (
              <> The previous secret keeps working until {when(issued.previous_secret_valid_until)}.</>
            )}
          </div>
          <Secret label="Client id" value={issued.client_id} />
          <Secret label="Client secret" value={issued.client_secret} />
          <button type="button" onClick={() => setIssued(null)}>
            I have stored it: hide
          </button>
        </div>
      )}
      <Async value={list} label="Loading credentials">
        {(page) =>
          page.items.length === 0 ? (
            <Empty title="No credentials: the agent cannot get tokens." />
          ) : (
            <table className="data">
              <caption className="visually-hidden">Credentials</caption>
              <thead>
                <tr>
                  <th scope="col">Client id</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Previous secret valid until</th>
                  {canWrite && <th scope="col"><span className="visually-hidden">Actions</span></th>}
                </tr>
              </thead>
              <tbody>
                {page.items.map((c) => (
                  <tr key={c.credential_id}>
                    <td className="mono">{c.client_id}</td>
                    <td><Badge value={c.status} /></td>
                    <td>{when(c.created_at)}</td>
                    <td>{when(c.expires_at)}</td>
                    <td>{when(c.previous_secret_valid_until)}</td>
                    {canWrite && (
                      <td>
                        {c.status === "active" && (
                          <button type="button" className="danger" onClick={() => setRevoking(c.credential_id)}>
                            Revoke
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Async>
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this credential?"
        confirmLabel="Revoke now"
        busy={busy}
        onCancel={() => setRevoking(null)}
        onConfirm={() => revoking && void revoke(revoking)}
      >
        <p>The agent can no longer get tokens with it, at once. This cannot be undone.</p>
      </ConfirmDialog>
    </section>
  );
}

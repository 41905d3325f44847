import { useState } from "react";
import { Link } from "react-router";
import { api, call, collect, type Schemas } from "../../api/client";
import { messageOf } from "../../api/errors";
import { roleAtLeast, useAuth } from "../../auth/AuthContext";
import { Badge } from "../../components/Badge";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { FormError } from "../../components/Field";
import { when } from "../../components/format";
import { Async, Empty } from "../../components/States";
import { useApi } from "../../components/useApi";
import { describe } from "./conditions";

type Policy = Schemas["Policy"];
type Settings = Schemas["GovernanceSettings"];

function scopeText(p: Policy): string {
  const parts = [
    p.scope.agents.length ? `agents ${p.scope.agents.join(", ")}` : "",
    p.scope.teams.length ? `teams ${p.scope.teams.join(", ")}` : "",
  ].filter(Boolean);
  return parts.length ? parts.join("; ") : "every agent";
}

function DefaultDecision({ settings, canChange, onChanged }: { settings: Settings; canChange: boolean; onChanged(): void }) {
  const [next, setNext] = useState<null | { default_decision?: "allow" | "deny"; four_eyes?: boolean }>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const flip = settings.default_decision === "allow" ? "deny" : "allow";
  async function save() {
    if (!next) return;
    setBusy(true);
    setError(null);
    try {
      await call(() => api.PUT("/api/v1/policy-settings", { body: next }));
      onChanged();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
      setNext(null);
    }
  }
  return (
    <section aria-labelledby="tenant-default" className="card">
      <h2 id="tenant-default">When no policy applies</h2>
      <p>
        The tenant default decision is <Badge value={settings.default_decision} /> — a request that no active policy matches is{" "}
        {settings.default_decision === "allow" ? "allowed" : "denied"}.
      </p>
      <p>
        Four eyes by default: <strong>{settings.four_eyes ? "on" : "off"}</strong> (policies that do not say take this; with it, whoever
        registered the requesting agent may not decide its approvals).
      </p>
      <FormError message={error} />
      {canChange && (
        <div className="actions">
          <button type="button" onClick={() => setNext({ default_decision: flip })}>
            Make the default {flip}
          </button>
          <button type="button" onClick={() => setNext({ four_eyes: !settings.four_eyes })}>
            Turn four eyes by default {settings.four_eyes ? "off" : "on"}
          </button>
        </div>
      )}
      <ConfirmDialog
        open={next !== null}
        title={next?.default_decision ? `Make the default decision ${next.default_decision}?` : `Turn four eyes by default ${next?.four_eyes ? "on" : "off"}?`}
        confirmLabel="Change the default"
        busy={busy}
        onCancel={() => setNext(null)}
        onConfirm={() => void save()}
      >
        <p>
          {next?.default_decision
            ? `Every request that no policy matches will be ${next.default_decision === "allow" ? "allowed" : "denied"} from now on.`
            : "Policies that leave four eyes unset follow this from their next approval on."}
        </p>
      </ConfirmDialog>
    </section>
  );
}

export default function PolicyList() {
  const { role } = useAuth();
  const isAdmin = roleAtLeast(role, "admin");
  const policies = useApi(() => collect((cursor) => call(() => api.GET("/api/v1/policies", { params: { query: { limit: 100, cursor } } }))), []);
  const settings = useApi(() => call(() => api.GET("/api/v1/policy-settings")), []);
  const [dialog, setDialog] = useState<{ policy: Policy; kind: "disable" | "enable" | "delete" } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function act() {
    if (!dialog) return;
    const { policy, kind } = dialog;
    setBusy(true);
    setError(null);
    try {
      const path = { params: { path: { id: policy.id } } };
      if (kind === "delete") await call(() => api.DELETE("/api/v1/policies/{id}", path));
      else await call(() => api.PATCH("/api/v1/policies/{id}", { ...path, body: { status: kind === "disable" ? "disabled" : "active" } }));
      policies.reload();
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
        <h1>Policies</h1>
        {isAdmin && (
          <Link to="/app/policies/new" className="button primary">
            Create a policy
          </Link>
        )}
      </div>
      <p className="lead">
        Each request an agent sends to <code>/api/v1/authorize</code> is checked against the active policies in its scope: any deny wins,
        then any require approval, then any allow, then the tenant default.
      </p>
      <FormError message={error} />
      <Async value={settings} label="Loading the tenant default">
        {(s) => <DefaultDecision settings={s} canChange={isAdmin} onChanged={settings.reload} />}
      </Async>
      <Async value={policies} label="Loading policies">
        {(items) =>
          items.length === 0 ? (
            <Empty title="No policies yet: the tenant default decides every request.">
              {isAdmin ? <Link to="/app/policies/new">Create the first policy</Link> : <p>An admin can create policies.</p>}
            </Empty>
          ) : (
            <table>
              <caption className="visually-hidden">Policies in the order they are considered</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Decides</th>
                  <th scope="col">Applies to</th>
                  <th scope="col">When</th>
                  <th scope="col">Status</th>
                  <th scope="col">Changed</th>
                  {isAdmin && <th scope="col">Actions</th>}
                </tr>
              </thead>
              <tbody>
                {items.map((p) => (
                  <tr key={p.id}>
                    <td>
                      {isAdmin ? <Link to={`/app/policies/${encodeURIComponent(p.id)}/edit`}>{p.name}</Link> : p.name}
                      {p.description && <div className="muted small">{p.description}</div>}
                    </td>
                    <td>
                      <Badge value={p.action} />
                      {p.action === "require_approval" && (
                        <div className="small muted">
                          {p.approvers.join(", ") || "role:admin"} · {p.approval_timeout_seconds ?? 3600} s
                          {p.escalation_approvers.length ? ` · then ${p.escalation_approvers.join(", ")}` : ""}
                          {p.four_eyes === true ? " · four eyes" : p.four_eyes === false ? " · no four eyes" : ""}
                        </div>
                      )}
                    </td>
                    <td>{scopeText(p)}</td>
                    <td className="small">{describe(p.conditions)}</td>
                    <td>
                      <Badge value={p.status} />
                    </td>
                    <td>{when(p.updated_at ?? p.created_at)}</td>
                    {isAdmin && (
                      <td className="actions">
                        <Link to={`/app/policies/${encodeURIComponent(p.id)}/edit`} className="button" aria-label={`Edit ${p.name}`}>
                          Edit
                        </Link>
                        <button type="button" onClick={() => setDialog({ policy: p, kind: p.status === "active" ? "disable" : "enable" })} aria-label={`${p.status === "active" ? "Disable" : "Enable"} ${p.name}`}>
                          {p.status === "active" ? "Disable" : "Enable"}
                        </button>
                        <button type="button" className="danger" onClick={() => setDialog({ policy: p, kind: "delete" })} aria-label={`Delete ${p.name}`}>
                          Delete
                        </button>
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
        open={dialog !== null}
        title={dialog ? `${dialog.kind === "delete" ? "Delete" : dialog.kind === "disable" ? "Disable" : "Enable"} policy ${dialog.policy.name}?` : ""}
        confirmLabel={dialog ? `${dialog.kind === "delete" ? "Delete" : dialog.kind === "disable" ? "Disable" : "Enable"} policy` : ""}
        busy={busy}
        onCancel={() => setDialog(null)}
        onConfirm={() => void act()}
      >
        <p>
          {dialog?.kind === "delete"
            ? "It stops deciding at once and cannot be restored; approvals it already asked for keep waiting for their approvers."
            : dialog?.kind === "disable"
              ? `It stops deciding requests at once (they fall to other policies or the tenant default) until enabled again.`
              : "It decides the requests it matches from now on."}
        </p>
      </ConfirmDialog>
    </>
  );
}

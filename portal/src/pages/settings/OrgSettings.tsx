import { useState } from "react";
import "../admin.css";
import { api, call, type Schemas } from "../../api/client";
import { ApiError, messageOf } from "../../api/errors";
import { roleAtLeast, useAuth } from "../../auth/AuthContext";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Field, FormError } from "../../components/Field";
import { when } from "../../components/format";
import { Async } from "../../components/States";
import { useApi } from "../../components/useApi";
import { settingsChange, type PolicyDefaults } from "./settingsChange";

type Profile = Schemas["OrgProfile"];
type Governance = Schemas["GovernanceSettings"];

function ProfileSection({ profile, canWrite, onSaved }: { profile: Profile; canWrite: boolean; onSaved: () => void }) {
  const [name, setName] = useState(profile.name);
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  async function save() {
    setBusy(true);
    setError(null);
    setFieldError(undefined);
    setSaved(false);
    try {
      await call(() => api.PATCH("/api/v1/orgs/profile", { body: { name: name.trim() } }));
      setSaved(true);
      onSaved();
    } catch (err) {
      if (err instanceof ApiError) setFieldError(err.fieldErrors().name);
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="profile" className="card admin-section">
      <h2 id="profile">Profile</h2>
      <dl className="facts">
        <dt>Organisation id</dt>
        <dd className="mono">{profile.tenant_id}</dd>
        <dt>Tier</dt>
        <dd>{profile.tier}</dd>
        <dt>Status</dt>
        <dd>{profile.status}</dd>
        <dt>Created</dt>
        <dd>{when(profile.created_at)}</dd>
        {!canWrite && (
          <>
            <dt>Name</dt>
            <dd data-testid="org-name">{profile.name}</dd>
          </>
        )}
      </dl>
      {canWrite && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <FormError message={error} />
          <Field id="org-name" label="Organisation name" required maxLength={100} value={name} error={fieldError} onChange={(e) => setName(e.target.value)} />
          <button type="submit" className="primary" disabled={busy || !name.trim() || name.trim() === profile.name}>
            Save name
          </button>
          {saved && (
            <span role="status" className="muted">
              {" "}
              ✓ Saved.
            </span>
          )}
        </form>
      )}
    </section>
  );
}

function PolicyDefaultsSection({ settings, canWrite, onSaved }: { settings: Governance; canWrite: boolean; onSaved: () => void }) {
  const current: PolicyDefaults = { default_decision: settings.default_decision, four_eyes: settings.four_eyes ?? false };
  const [draft, setDraft] = useState<PolicyDefaults>(current);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const change = settingsChange(current, draft);

  async function save() {
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await call(() => api.PUT("/api/v1/policy-settings", { body: change.body }));
      setSaved(true);
      onSaved();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  }

  return (
    <section aria-labelledby="policy-defaults" className="card admin-section">
      <h2 id="policy-defaults">Policy defaults</h2>
      {!canWrite ? (
        <dl className="facts">
          <dt>Default decision</dt>
          <dd data-testid="default-decision">{settings.default_decision === "deny" ? "✕ deny" : "✓ allow"} when no policy applies</dd>
          <dt>Four eyes</dt>
          <dd data-testid="four-eyes">{settings.four_eyes ? "on" : "off"} for policies that leave it unset</dd>
          <dt>Last changed</dt>
          <dd>{when(settings.updated_at)}</dd>
        </dl>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (change.needsConfirmation) setConfirming(true);
            else void save();
          }}
        >
          <FormError message={error} />
          <fieldset className="checks">
            <legend>Default decision, when no policy applies to a request</legend>
            {(["deny", "allow"] as const).map((d) => (
              <label key={d}>
                <input type="radio" name="default-decision" value={d} checked={draft.default_decision === d} onChange={() => setDraft({ ...draft, default_decision: d })} />
                {d === "deny" ? "Deny (refuse what no policy allows)" : "Allow (permit what no policy refuses)"}
              </label>
            ))}
          </fieldset>
          <label className="check">
            <input type="checkbox" checked={draft.four_eyes} onChange={(e) => setDraft({ ...draft, four_eyes: e.target.checked })} />
            Four eyes by default: whoever registered the requesting agent may not approve its requests
          </label>
          <p className="hint">Applies to policies that leave <code>four_eyes</code> unset. Last changed {when(settings.updated_at)}.</p>
          <button type="submit" className="primary" disabled={busy || !change.changed}>
            Save policy defaults
          </button>
          {saved && (
            <span role="status" className="muted">
              {" "}
              ✓ Saved.
            </span>
          )}
        </form>
      )}
      <ConfirmDialog
        open={confirming}
        title="Allow requests that no policy covers?"
        confirmLabel="Allow by default"
        busy={busy}
        onCancel={() => setConfirming(false)}
        onConfirm={() => void save()}
      >
        <p>From now on every agent request that no policy matches is allowed instead of refused.</p>
      </ConfirmDialog>
    </section>
  );
}

export default function OrgSettings() {
  const { role } = useAuth();
  const canWrite = roleAtLeast(role, "admin");
  const profile = useApi(() => call(() => api.GET("/api/v1/orgs/profile")), []);
  const settings = useApi(() => call(() => api.GET("/api/v1/policy-settings")), []);
  return (
    <>
      <h1>Organisation settings</h1>
      {!canWrite && role !== null && <p className="muted">Changing these settings needs the admin role.</p>}
      <Async value={profile} label="Loading the profile">
        {(p) => <ProfileSection key={String(canWrite)} profile={p} canWrite={canWrite} onSaved={profile.reload} />}
      </Async>
      <Async value={settings} label="Loading the policy defaults">
        {(s) => <PolicyDefaultsSection key={String(canWrite)} settings={s} canWrite={canWrite} onSaved={settings.reload} />}
      </Async>
    </>
  );
}

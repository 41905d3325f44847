import { useCallback, useEffect, useState } from "react";
import { Link, useLocation } from "react-router";
import { api, call, collect, type Agent, type Schemas } from "../../api/client";
import { messageOf } from "../../api/errors";
import { roleAtLeast, useAuth } from "../../auth/AuthContext";
import { Badge } from "../../components/Badge";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { FormError } from "../../components/Field";
import { when } from "../../components/format";
import { confirmationPhrase, type SwitchScope } from "./phrase";

type State = Schemas["EmergencyState"];

interface Outcome {
  state: State;
  agents: Agent[];
  tenantPaused: boolean;
}

/**
 * On every console page: the tenant-wide banner while the organisation is paused, and for admins the
 * kill switch (everything, a team or a tag), confirmed by typing what it does, then each agent's status.
 */
export function KillSwitch() {
  const { role } = useAuth();
  const location = useLocation();
  const isAdmin = roleAtLeast(role, "admin");
  const [profile, setProfile] = useState<Schemas["OrgProfile"] | null>(null);
  const [open, setOpen] = useState<"pause" | "resume" | null>(null);
  const [scope, setScope] = useState<SwitchScope>("tenant");
  const [name, setName] = useState("");
  const [reason, setReason] = useState("");
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const loadProfile = useCallback(() => {
    call(() => api.GET("/api/v1/orgs/profile")).then(setProfile, () => undefined);
  }, []);
  // Read again on each page change: a pause made elsewhere (another admin, the CLI) shows up.
  useEffect(loadProfile, [loadProfile, location.pathname]);

  const paused = profile?.status === "paused";
  const phrase = confirmationPhrase(open ?? "pause", scope, name);

  function start(kind: "pause" | "resume", preset: SwitchScope = "tenant") {
    setOpen(kind);
    setScope(preset);
    setName("");
    setReason("");
    setTyped("");
    setError(null);
  }

  async function run() {
    if (!open) return;
    setBusy(true);
    setError(null);
    const target = scope === "team" ? { team: name.trim() } : scope === "tag" ? { tag: name.trim() } : {};
    const body = { ...target, ...(reason.trim() ? { reason: reason.trim() } : {}) };
    try {
      const state =
        open === "pause"
          ? await call(() => api.POST("/api/v1/emergency/pause-all", { body }))
          : await call(() => api.POST("/api/v1/emergency/resume-all", { body }));
      const agents = await collect((cursor) => call(() => api.GET("/api/v1/agents", { params: { query: { limit: 100, cursor } } }))).catch(() => []);
      setOutcome({ state, agents, tenantPaused: state.status === "paused" });
      setOpen(null);
      loadProfile();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  const changed = new Set([...(outcome?.state.paused_agent_ids ?? []), ...(outcome?.state.resumed_agent_ids ?? [])]);
  return (
    <div className="kill-switch-area">
      {paused && (
        <div className="banner banner-paused" role="alert">
          <p>
            <strong>⛔ Everything is paused.</strong> The kill switch is on for {profile?.name}
            {profile?.updated_at ? ` since ${when(profile.updated_at)}` : ""}: every agent token and API key is refused with 403 until an
            admin resumes.
          </p>
          {isAdmin && (
            <button type="button" className="primary" onClick={() => start("resume")}>
              Resume everything
            </button>
          )}
        </div>
      )}
      {isAdmin && (
        <div className="kill-switch">
          <button type="button" className="danger" onClick={() => start("pause")}>
            ⛔ Kill switch
          </button>
          <button type="button" onClick={() => start("resume", "team")}>
            Resume a team or tag
          </button>
        </div>
      )}
      {outcome && (
        <section className="card" aria-labelledby="kill-outcome">
          <div className="page-head">
            <h2 id="kill-outcome">
              {outcome.state.scope === "tenant"
                ? outcome.tenantPaused
                  ? "Everything is paused"
                  : "Everything is resumed"
                : `${(outcome.state.paused_agent_ids ?? []).length ? "Paused" : "Resumed"} ${outcome.state.scope} ${outcome.state.scope_id}: ${changed.size} agent${changed.size === 1 ? "" : "s"} changed`}
            </h2>
            <button type="button" onClick={() => setOutcome(null)}>
              Close
            </button>
          </div>
          <table>
            <caption className="visually-hidden">Each agent's status after the kill switch</caption>
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Its status</th>
                <th scope="col">Its calls</th>
              </tr>
            </thead>
            <tbody>
              {outcome.agents.map((a) => (
                <tr key={a.id}>
                  <td>
                    <Link to={`/app/agents/${encodeURIComponent(a.id)}`}>{a.name}</Link>
                    {changed.has(a.id) ? <span className="muted small"> (changed now)</span> : null}
                  </td>
                  <td>
                    <Badge value={a.status} />
                  </td>
                  <td>{outcome.tenantPaused ? "refused (403): the organisation is paused" : a.status === "paused" ? "refused (403): the agent is paused" : "allowed"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <ConfirmDialog
        open={open !== null}
        title={open === "pause" ? "Pause with the kill switch?" : "Resume with the kill switch?"}
        confirmLabel={open === "pause" ? "Pause now" : "Resume now"}
        busy={busy}
        confirmDisabled={typed.trim() !== phrase || (scope !== "tenant" && !name.trim())}
        onCancel={() => setOpen(null)}
        onConfirm={() => void run()}
      >
        <fieldset>
          <legend>What to {open}</legend>
          {(["tenant", "team", "tag"] as const).map((s) => (
            <label key={s} className="check">
              <input type="radio" name="switch-scope" value={s} checked={scope === s} onChange={() => setScope(s)} />{" "}
              {s === "tenant" ? `Everything: the whole organisation${open === "pause" ? " (every agent and API key)" : ""}` : s === "team" ? "Every agent of one team" : "Every agent with one tag"}
            </label>
          ))}
        </fieldset>
        {scope !== "tenant" && (
          <>
            <label htmlFor="switch-name">{scope === "team" ? "Team" : "Tag"}</label>
            <input id="switch-name" value={name} onChange={(e) => setName(e.target.value)} />
          </>
        )}
        <p>
          {open === "pause"
            ? scope === "tenant"
              ? "Every agent token and API key of the organisation is refused with 403 within seconds, tokens already issued included. People can still sign in to resume."
              : "Those agents get no new tokens and every call they make answers 403, until resumed."
            : scope === "tenant"
              ? "Agents and API keys may call the API again (agents paused one by one stay paused)."
              : "Those agents may get tokens and call the API again."}
        </p>
        <label htmlFor="switch-reason">Reason (optional, kept in the audit log)</label>
        <input id="switch-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
        <label htmlFor="switch-typed">
          Type <strong className="mono">{phrase}</strong> to confirm
        </label>
        <input id="switch-typed" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
        <FormError message={error} />
      </ConfirmDialog>
    </div>
  );
}

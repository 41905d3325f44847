import { useState } from "react";
import "../admin.css";
import { api, call, collect, type Schemas } from "../../api/client";
import { ApiError } from "../../api/errors";
import { roleAtLeast, useAuth, type Role } from "../../auth/AuthContext";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Field, FormError } from "../../components/Field";
import { when } from "../../components/format";
import { Async, Empty } from "../../components/States";
import { useApi } from "../../components/useApi";
import { assignableRoles, canManage, memberErrorMessage, ROLE_LABEL } from "./memberRules";

type Member = Schemas["Member"];

function MemberRow({ member, mine, isMe, onSaved, onRemove, onError }: {
  member: Member;
  mine: Role | null;
  isMe: boolean;
  onSaved: (message: string) => void;
  onRemove: (m: Member) => void;
  onError: (message: string) => void;
}) {
  const [role, setRole] = useState<Role>(member.role);
  const [team, setTeam] = useState(member.team ?? "");
  const [busy, setBusy] = useState(false);
  const manage = canManage(mine, member.role);
  const changed = role !== member.role || team.trim() !== (member.team ?? "");

  async function save() {
    setBusy(true);
    try {
      const body: Schemas["MemberUpdate"] = {};
      if (role !== member.role) body.role = role;
      if (team.trim() !== (member.team ?? "")) body.team = team.trim() || null;
      await call(() => api.PATCH("/api/v1/org-members/{id}", { params: { path: { id: member.id } }, body }));
      onSaved(`${member.email} is now ${ROLE_LABEL[role]}${team.trim() ? ` in team ${team.trim()}` : ""}.`);
    } catch (err) {
      setRole(member.role);
      setTeam(member.team ?? "");
      onError(memberErrorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const label = isMe ? `${member.email} (you)` : member.email;
  return (
    <tr>
      <td>{label}</td>
      <td>
        {manage ? (
          <select aria-label={`Role of ${member.email}`} value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {assignableRoles(mine).map((r) => (
              <option key={r} value={r}>
                {ROLE_LABEL[r]}
              </option>
            ))}
          </select>
        ) : (
          ROLE_LABEL[member.role] ?? member.role
        )}
      </td>
      <td>
        {manage ? (
          <input aria-label={`Team of ${member.email}`} value={team} maxLength={64} onChange={(e) => setTeam(e.target.value)} />
        ) : (
          member.team ?? "—"
        )}
      </td>
      <td>{when(member.created_at)}</td>
      {roleAtLeast(mine, "admin") && (
        <td className="actions">
          {manage && (
            <>
              <button type="button" onClick={() => void save()} disabled={!changed || busy} aria-label={`Save ${member.email}`}>
                Save
              </button>
              <button type="button" className="danger" onClick={() => onRemove(member)} aria-label={`Remove ${member.email}`}>
                Remove
              </button>
            </>
          )}
        </td>
      )}
    </tr>
  );
}

export default function Members() {
  const { role: mine, user } = useAuth();
  const canWrite = roleAtLeast(mine, "admin");
  const members = useApi(() => collect((cursor) => call(() => api.GET("/api/v1/org-members", { params: { query: { limit: 100, cursor } } }))), []);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("member");
  const [team, setTeam] = useState("");
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [removing, setRemoving] = useState<Member | null>(null);
  const [busy, setBusy] = useState(false);
  const [generation, setGeneration] = useState(0);

  async function invite() {
    setBusy(true);
    setError(null);
    setNotice(null);
    setFieldErrors({});
    try {
      const added = await call(() => api.POST("/api/v1/org-members", { body: { email: email.trim(), role, ...(team.trim() ? { team: team.trim() } : {}) } }));
      setNotice(`${added.email} is invited as ${ROLE_LABEL[added.role]}: they get an email with a temporary password and choose their own at first sign-in.`);
      setEmail("");
      setTeam("");
      members.reload();
      setGeneration((g) => g + 1);
    } catch (err) {
      if (err instanceof ApiError) setFieldErrors(err.fieldErrors());
      setError(memberErrorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function remove(member: Member) {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await call(() => api.DELETE("/api/v1/org-members/{id}", { params: { path: { id: member.id } } }));
      setNotice(`${member.email} was removed.`);
      members.reload();
      setGeneration((g) => g + 1);
    } catch (err) {
      setError(memberErrorMessage(err));
    } finally {
      setRemoving(null);
      setBusy(false);
    }
  }

  return (
    <>
      <h1>Members</h1>
      <p className="lead">
        The people of this organisation and their roles: owner (billing, owners), admin (settings, keys, members),
        team lead (pause agents), member (register agents), viewer (read only).
      </p>
      <FormError message={error} />
      {notice && (
        <p className="verified" role="status">
          {notice}
        </p>
      )}
      {canWrite && (
        <form
          className="card admin-section inline-form"
          aria-labelledby="invite"
          onSubmit={(e) => {
            e.preventDefault();
            void invite();
          }}
        >
          <h2 id="invite" style={{ flexBasis: "100%" }}>Invite a person</h2>
          <Field id="invite-email" label="Email" type="email" required value={email} error={fieldErrors.email} onChange={(e) => setEmail(e.target.value)} />
          <div className="field">
            <label htmlFor="invite-role">Role</label>
            <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {assignableRoles(mine).map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABEL[r]}
                </option>
              ))}
            </select>
          </div>
          <Field id="invite-team" label="Team (optional)" value={team} maxLength={64} error={fieldErrors.team} onChange={(e) => setTeam(e.target.value)} />
          <button type="submit" className="primary" disabled={busy || !email.trim()}>
            Send invitation
          </button>
        </form>
      )}
      {!canWrite && mine !== null && <p className="muted">Inviting and changing members needs the admin role.</p>}
      <Async value={members} label="Loading members">
        {(items) =>
          items.length === 0 ? (
            <Empty title="No members." />
          ) : (
            <table className="data" key={generation}>
              <caption className="visually-hidden">Members</caption>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Team</th>
                  <th scope="col">Member since</th>
                  {canWrite && <th scope="col"><span className="visually-hidden">Actions</span></th>}
                </tr>
              </thead>
              <tbody>
                {items.map((m) => (
                  <MemberRow
                    key={`${m.id}-${m.role}-${m.team ?? ""}`}
                    member={m}
                    mine={mine}
                    isMe={m.email.toLowerCase() === (user?.email ?? "").toLowerCase()}
                    onSaved={(message) => {
                      setError(null);
                      setNotice(message);
                      members.reload();
                    }}
                    onRemove={setRemoving}
                    onError={(message) => {
                      setNotice(null);
                      setError(message);
                    }}
                  />
                ))}
              </tbody>
            </table>
          )
        }
      </Async>
      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${removing?.email ?? ""}?`}
        confirmLabel="Remove member"
        busy={busy}
        onCancel={() => setRemoving(null)}
        onConfirm={() => removing && void remove(removing)}
      >
        <p>
          {removing?.email} loses access to this organisation at once and their sign-in is deleted. To bring them back,
          invite them again.
        </p>
      </ConfirmDialog>
    </>
  );
}

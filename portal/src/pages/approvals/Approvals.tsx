import { useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { api, call, collect, type Schemas } from "../../api/client";
import { ApiError, messageOf } from "../../api/errors";
import { roleAtLeast, useAuth } from "../../auth/AuthContext";
import { Badge } from "../../components/Badge";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { FormError } from "../../components/Field";
import { json, usd, when } from "../../components/format";
import { Empty, ErrorState, Loading } from "../../components/States";
import { deadline, formatRemaining, nextPollDelay, POLL_FIRST_MS, signature, spokenRemaining } from "./timing";

type Approval = Schemas["Approval"];

interface Inbox {
  mine: Approval[];
  otherPending: Approval[];
  history: Approval[];
}

async function loadInbox(): Promise<Inbox> {
  const [mine, pending, recent] = await Promise.all([
    collect((cursor) => call(() => api.GET("/api/v1/approvals", { params: { query: { waiting_for_me: true, limit: 100, cursor } } })), 200),
    collect((cursor) => call(() => api.GET("/api/v1/approvals", { params: { query: { status: "pending", limit: 100, cursor } } })), 200),
    call(() => api.GET("/api/v1/approvals", { params: { query: { limit: 100 } } })),
  ]);
  const mineIds = new Set(mine.map((a) => a.id));
  return {
    mine,
    otherPending: pending.filter((a) => !mineIds.has(a.id)),
    history: recent.items.filter((a) => a.status !== "pending"),
  };
}

/** Poll with backoff (timing.ts): fast after a change, slower while nothing happens, slower still on errors. */
function useInbox(): { inbox: Inbox | null; error: ApiError | null; refresh(): void; nextPollMs: number } {
  const [inbox, setInbox] = useState<Inbox | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [nextPollMs, setNextPollMs] = useState(POLL_FIRST_MS);
  const [kick, setKick] = useState(0);
  const last = useRef("");
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let delay = POLL_FIRST_MS;
    const poll = async () => {
      let outcome: "changed" | "unchanged" | "failed";
      try {
        const next = await loadInbox();
        if (!live) return;
        const sig = signature([...next.mine, ...next.otherPending, ...next.history]);
        outcome = sig === last.current ? "unchanged" : "changed";
        last.current = sig;
        setInbox(next);
        setError(null);
      } catch (err) {
        if (!live) return;
        outcome = "failed";
        setError(err instanceof ApiError ? err : new ApiError(0, "client_error", messageOf(err)));
      }
      delay = nextPollDelay(delay, outcome);
      setNextPollMs(delay);
      timer = setTimeout(() => void poll(), delay);
    };
    void poll();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [kick]);
  return { inbox, error, refresh: () => setKick((k) => k + 1), nextPollMs };
}

function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  return now;
}

function Countdown({ approval, now }: { approval: Approval; now: number }) {
  const end = deadline(approval);
  if (end === null) return <>—</>;
  const left = end - now;
  return (
    <span role="timer" aria-live="off" aria-label={spokenRemaining(left)} className={left < 60_000 ? "countdown urgent" : "countdown"}>
      ⌛ {formatRemaining(left)} left{approval.stage === "escalated" ? " (escalated, last wait)" : ""}
    </span>
  );
}

function ApprovalFacts({ a, agents, policies }: { a: Approval; agents: Map<string, string>; policies: Map<string, string> }) {
  return (
    <dl className="facts">
      <dt>Requested by</dt>
      <dd>
        {agents.has(a.requested_by) ? (
          <Link to={`/app/agents/${encodeURIComponent(a.requested_by)}`}>{agents.get(a.requested_by)}</Link>
        ) : (
          <span className="mono">{a.requested_by}</span>
        )}
      </dd>
      <dt>Action</dt>
      <dd className="mono">{a.action}</dd>
      <dt>Resource</dt>
      <dd className="mono">{a.resource ?? "—"}</dd>
      <dt>Estimated cost</dt>
      <dd>{usd(a.estimated_cost_usd ?? null)}</dd>
      <dt>Asked by policy</dt>
      <dd>
        {a.policy_ids.map((id) => (
          <Link key={id} to={`/app/policies/${encodeURIComponent(id)}/edit`} className="tag">
            {policies.get(id) ?? id}
          </Link>
        ))}
      </dd>
      <dt>Approvers</dt>
      <dd>
        {[...a.approvers, ...(a.stage === "escalated" ? a.escalation_approvers : [])].join(", ") || "role:admin"}
        {a.four_eyes ? " · four eyes: not the agent's registrant" : ""}
      </dd>
      <dt>Context</dt>
      <dd>{a.context && Object.keys(a.context).length ? <pre className="code small">{json(a.context)}</pre> : "—"}</dd>
      <dt>Requested</dt>
      <dd>{when(a.created_at)}</dd>
    </dl>
  );
}

type Decision = "approve" | "reject";

export default function Approvals() {
  const { role } = useAuth();
  const { inbox, error, refresh, nextPollMs } = useInbox();
  const now = useNow();
  const [names, setNames] = useState<{ agents: Map<string, string>; policies: Map<string, string> }>({ agents: new Map(), policies: new Map() });
  const [dialog, setDialog] = useState<{ approval: Approval; decision: Decision } | null>(null);
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState(false);
  const [refusals, setRefusals] = useState<Record<string, string>>({});
  const [done, setDone] = useState<string | null>(null);
  const canDecide = roleAtLeast(role, "member");

  const ids = inbox ? signature([...inbox.mine, ...inbox.otherPending, ...inbox.history]) : "";
  useEffect(() => {
    if (!inbox) return;
    let live = true;
    // Names for the ids an approval carries: agents and policies, one listing each.
    void Promise.all([
      collect((cursor) => call(() => api.GET("/api/v1/agents", { params: { query: { limit: 100, cursor } } }))).catch(() => []),
      collect((cursor) => call(() => api.GET("/api/v1/policies", { params: { query: { limit: 100, cursor } } }))).catch(() => []),
    ]).then(([agents, policies]) => {
      if (live) setNames({ agents: new Map(agents.map((a) => [a.id, a.name])), policies: new Map(policies.map((p) => [p.id, p.name])) });
    });
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ids]);

  async function decide() {
    if (!dialog) return;
    const { approval, decision } = dialog;
    setBusy(true);
    try {
      const body = comment.trim() ? { comment: comment.trim() } : {};
      const path = { params: { path: { id: approval.id } }, body };
      const result =
        decision === "approve"
          ? await call(() => api.POST("/api/v1/approvals/{id}/approve", path))
          : await call(() => api.POST("/api/v1/approvals/{id}/reject", path));
      setRefusals((r) => ({ ...r, [approval.id]: "" }));
      setDone(`${result.status === "approved" ? "✓ Approved" : "✕ Rejected"}: ${approval.action} by ${names.agents.get(approval.requested_by) ?? approval.requested_by}.`);
      refresh();
    } catch (err) {
      // The API says why (four eyes, not an approver, already decided): shown on the request itself.
      setRefusals((r) => ({ ...r, [approval.id]: messageOf(err) }));
    } finally {
      setBusy(false);
      setDialog(null);
      setComment("");
    }
  }

  const card = (a: Approval, yours: boolean) => (
    <li key={a.id} className="card approval" aria-labelledby={`approval-${a.id}`}>
      <div className="page-head">
        <h3 id={`approval-${a.id}`}>
          {a.action} <span className="muted">by {names.agents.get(a.requested_by) ?? a.requested_by}</span>
        </h3>
        <Countdown approval={a} now={now} />
      </div>
      <ApprovalFacts a={a} agents={names.agents} policies={names.policies} />
      <FormError message={refusals[a.id] || null} />
      {canDecide ? (
        <div className="actions">
          <button type="button" className="primary" onClick={() => setDialog({ approval: a, decision: "approve" })}>
            Approve
          </button>
          <button type="button" className="danger" onClick={() => setDialog({ approval: a, decision: "reject" })}>
            Reject
          </button>
          {!yours && <span className="muted">Not listed as yours to decide: the API decides whether you may.</span>}
        </div>
      ) : (
        <p className="muted">Deciding needs the member role or higher, and being one of its approvers.</p>
      )}
    </li>
  );

  const subject = dialog ? `${dialog.approval.action} by ${names.agents.get(dialog.approval.requested_by) ?? dialog.approval.requested_by}` : "";
  return (
    <>
      <div className="page-head">
        <h1>Approvals</h1>
        <p className="muted small" aria-live="off">
          Checks for new requests every {Math.round(nextPollMs / 1000)} s (sooner after a change).{" "}
          <button type="button" onClick={refresh}>
            Check now
          </button>
        </p>
      </div>
      {done && (
        <p className="notice" role="status">
          {done}
        </p>
      )}
      {error && <ErrorState error={error} retry={refresh} />}
      {!inbox && !error && <Loading label="Loading approvals" />}
      {inbox && (
        <>
          <section aria-labelledby="waiting-mine">
            <h2 id="waiting-mine">Waiting for you ({inbox.mine.length})</h2>
            {inbox.mine.length === 0 ? (
              <Empty title="Nothing waits for you.">
                <p>Requests appear here without reloading when an agent asks for an action a policy gates.</p>
              </Empty>
            ) : (
              <ul className="plain cards-list">{inbox.mine.map((a) => card(a, true))}</ul>
            )}
          </section>
          {inbox.otherPending.length > 0 && (
            <section aria-labelledby="waiting-others">
              <h2 id="waiting-others">Other pending requests ({inbox.otherPending.length})</h2>
              <p className="muted">Waiting for other approvers (or, under four eyes, for someone other than the agent's registrant).</p>
              <ul className="plain cards-list">{inbox.otherPending.map((a) => card(a, false))}</ul>
            </section>
          )}
          <section aria-labelledby="history">
            <h2 id="history">Decided and expired</h2>
            {inbox.history.length === 0 ? (
              <Empty title="No decided or expired requests yet." />
            ) : (
              <table>
                <caption className="visually-hidden">Decided and expired approvals, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Action</th>
                    <th scope="col">Agent</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">Decided by</th>
                    <th scope="col">When</th>
                    <th scope="col">Comment</th>
                  </tr>
                </thead>
                <tbody>
                  {inbox.history.map((a) => (
                    <tr key={a.id}>
                      <td className="mono">{a.action}</td>
                      <td>{names.agents.get(a.requested_by) ?? a.requested_by}</td>
                      <td>
                        <Badge value={a.status} />
                      </td>
                      <td>{a.status === "expired" ? "nobody in time" : (a.decided_by ?? "—")}</td>
                      <td>{when(a.decided_at ?? a.created_at)}</td>
                      <td>{a.comment ?? "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
      <ConfirmDialog
        open={dialog !== null}
        title={dialog ? `${dialog.decision === "approve" ? "Approve" : "Reject"} ${subject}?` : ""}
        confirmLabel={dialog?.decision === "approve" ? "Approve request" : "Reject request"}
        busy={busy}
        onCancel={() => {
          setDialog(null);
          setComment("");
        }}
        onConfirm={() => void decide()}
      >
        <p>
          {dialog?.decision === "approve"
            ? "The agent's request is allowed: its next check of this approval reads approved."
            : "The agent's request is refused: its next check of this approval reads rejected."}{" "}
          The decision is final and recorded in the audit log with your name.
        </p>
        <label htmlFor="decision-comment">Comment (optional, kept with the decision)</label>
        <textarea id="decision-comment" value={comment} onChange={(e) => setComment(e.target.value)} rows={3} maxLength={1000} />
      </ConfirmDialog>
    </>
  );
}

import { useState } from "react";
import "../admin.css";
import { useSearchParams } from "react-router";
import { api, call, type Schemas } from "../../api/client";
import { messageOf } from "../../api/errors";
import { FormError } from "../../components/Field";
import { json, when } from "../../components/format";
import { Pager, useCursorPages } from "../../components/Pager";
import { roleAtLeast, useAuth } from "../../auth/AuthContext";
import { Async, Empty, Forbidden } from "../../components/States";
import { useApi } from "../../components/useApi";
import { AUDIT_FILTER_KEYS, auditQuery, verificationSentence, type AuditFilters, type Verification } from "./auditFilters";

const PAGE = 25;
type Entry = Schemas["AuditEntry"];

function VerifyChain() {
  const [result, setResult] = useState<Verification | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function verify() {
    setBusy(true);
    setError(null);
    try {
      setResult(await call(() => api.GET("/api/v1/audit/verify")));
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="verify" className="card">
      <h2 id="verify">Verify the chain</h2>
      <p>
        Each entry's hash covers the previous entry's hash, and the chain's head is signed: recomputing them finds an
        altered, deleted or truncated entry.
      </p>
      <button type="button" className="primary" onClick={verify} disabled={busy}>
        {busy ? "Verifying…" : "Verify the chain"}
      </button>
      <FormError message={error} />
      {result && (
        <div className={result.valid ? "verified" : "warning"} role="status" data-testid="verify-result">
          <p className="state-title">{verificationSentence(result)}</p>
          <dl className="facts">
            <dt>Result</dt>
            <dd>{result.valid ? "valid" : "broken"}</dd>
            <dt>Entries checked</dt>
            <dd data-testid="entries-checked">{result.entries_checked}</dd>
            <dt>Head hash</dt>
            <dd className="mono" data-testid="head-hash">{result.head_hash ?? "— (no entries)"}</dd>
            <dt>First bad entry</dt>
            <dd data-testid="first-bad-entry">{result.first_bad_entry ?? "none"}</dd>
            <dt>Signed head</dt>
            <dd>{result.signed_seq != null ? `entry ${result.signed_seq}` : "not signed yet (the hourly timer signs it)"}</dd>
            {result.reason && (
              <>
                <dt>Reason</dt>
                <dd>{result.reason}</dd>
              </>
            )}
          </dl>
        </div>
      )}
    </section>
  );
}

function EntryDetail({ entry, onClose }: { entry: Entry; onClose: () => void }) {
  return (
    <section aria-labelledby="entry-detail" className="card">
      <div className="page-head">
        <h2 id="entry-detail">Entry {entry.seq}</h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <dl className="facts">
        <dt>When</dt>
        <dd>{when(entry.at)}</dd>
        <dt>Actor</dt>
        <dd className="mono">{entry.actor}</dd>
        <dt>Action</dt>
        <dd className="mono">{entry.action}</dd>
        <dt>Entity</dt>
        <dd className="mono">{entry.target}</dd>
        <dt>Previous hash</dt>
        <dd className="mono">{entry.prev_hash}</dd>
        <dt>Hash</dt>
        <dd className="mono">{entry.hash}</dd>
      </dl>
      <h3>Details</h3>
      <pre aria-label={`Details of entry ${entry.seq}`}>{json(entry.details)}</pre>
    </section>
  );
}

export default function AuditLog() {
  const { role } = useAuth();
  if (role !== null && !roleAtLeast(role, "admin")) {
    return (
      <>
        <h1>Audit log</h1>
        <Forbidden what="the audit log (it needs the admin role)" />
      </>
    );
  }
  return <AuditLogForAdmins />;
}

function AuditLogForAdmins() {
  const [params, setParams] = useSearchParams();
  const filters = Object.fromEntries(AUDIT_FILTER_KEYS.map((k) => [k, params.get(k) ?? ""])) as unknown as AuditFilters;
  const [draft, setDraft] = useState<AuditFilters>(filters);
  const [selected, setSelected] = useState<Entry | null>(null);
  const pages = useCursorPages();
  const log = useApi(
    () => call(() => api.GET("/api/v1/audit", { params: { query: { ...auditQuery(filters), limit: PAGE, cursor: pages.cursor } } })),
    [params.toString(), pages.cursor],
  );
  const active = AUDIT_FILTER_KEYS.some((k) => filters[k]);
  const input = (key: keyof AuditFilters, label: string, type = "text", hint?: string) => (
    <div>
      <label htmlFor={`au-${key}`}>{label}</label>
      <input
        id={`au-${key}`}
        type={type}
        value={draft[key]}
        title={hint}
        placeholder={hint}
        onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
      />
    </div>
  );

  return (
    <>
      <h1>Audit log</h1>
      <p className="lead">Every change in the organisation, newest first, in a tamper-evident hash chain.</p>
      <VerifyChain />
      <form
        className="filters"
        aria-label="Filter the audit log"
        onSubmit={(e) => {
          e.preventDefault();
          pages.reset();
          setSelected(null);
          setParams(Object.fromEntries(Object.entries(draft).filter(([, v]) => v)));
        }}
      >
        {input("actor", "Actor", "text", "user:… or apikey:…")}
        {input("action", "Action", "text", "agent.paused")}
        {input("entity", "Entity", "text", "agent or agent:agt_…")}
        {input("from", "From (UTC)", "datetime-local")}
        {input("to", "To (UTC)", "datetime-local")}
        <button type="submit">Apply filters</button>
        {active && (
          <button
            type="button"
            onClick={() => {
              const empty = { actor: "", action: "", entity: "", from: "", to: "" };
              setDraft(empty);
              pages.reset();
              setParams({});
            }}
          >
            Clear
          </button>
        )}
      </form>
      <p className="hint">
        Entity: a kind (<code>agent</code>, <code>api_key</code>, <code>user</code> for members, <code>tenant</code>,{" "}
        <code>policy</code>, <code>webhook</code>, <code>approval</code>…) lists every entity of that kind; <code>kind:id</code> lists one.
      </p>
      {selected && <EntryDetail entry={selected} onClose={() => setSelected(null)} />}
      <Async value={log} label="Loading the audit log">
        {(page) =>
          page.items.length === 0 ? (
            <Empty title={active ? "No entries match these filters." : "No entries yet."}>
              {active && page.next_cursor && <p>Older entries may match: go to the next page.</p>}
            </Empty>
          ) : (
            <>
              <table className="data">
                <caption className="visually-hidden">Audit entries, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">When</th>
                    <th scope="col">Actor</th>
                    <th scope="col">Action</th>
                    <th scope="col">Entity</th>
                    <th scope="col"><span className="visually-hidden">Details</span></th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((e) => (
                    <tr key={e.seq} aria-current={selected?.seq === e.seq ? "true" : undefined}>
                      <td>{e.seq}</td>
                      <td>{when(e.at)}</td>
                      <td className="mono">{e.actor}</td>
                      <td className="mono">{e.action}</td>
                      <td className="mono">{e.target}</td>
                      <td>
                        <button type="button" className="link" onClick={() => setSelected(e)} aria-label={`Details of entry ${e.seq}`}>
                          Details
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager page={pages.page} hasNext={Boolean(page.next_cursor)} onPrevious={pages.previous} onNext={() => page.next_cursor && pages.next(page.next_cursor)} />
            </>
          )
        }
      </Async>
    </>
  );
}

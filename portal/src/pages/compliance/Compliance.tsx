import "../admin.css";
import { api, call, type Schemas } from "../../api/client";
import { when } from "../../components/format";
import { Async } from "../../components/States";
import { useApi } from "../../components/useApi";
import { STATUS_WORDS, reportFileName, reportJson, rotationText, tallyControls } from "./report";

type Report = Schemas["ComplianceReport"];
type ControlStatus = Schemas["Control"]["status"];

const STATUS_CLASS: Record<ControlStatus, string> = { pass: "success", fail: "error", not_applicable: "cancelled" };
const STATUS_SYMBOL: Record<ControlStatus, string> = { pass: "✓", fail: "✕", not_applicable: "⊘" };

function yesNo(value: boolean, yes: string, no: string) {
  return (
    <span className={`badge badge-${value ? "success" : "error"}`}>
      <span aria-hidden="true">{value ? "✓" : "✕"}</span> {value ? yes : no}
    </span>
  );
}

function download(report: Report) {
  const blob = new Blob([reportJson(report)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = reportFileName(report);
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function ReportView({ report, reload }: { report: Report; reload: () => void }) {
  const tally = tallyControls(report);
  const chain = report.audit_chain;
  return (
    <>
      <div className="actions">
        <button type="button" className="primary" onClick={() => download(report)}>
          Download JSON
        </button>
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </div>
      <dl className="facts admin-section">
        <dt>Generated</dt>
        <dd data-testid="generated-at">{when(report.generated_at)}</dd>
        <dt>Schema</dt>
        <dd className="mono">{report.schema_version}</dd>
        <dt>Organisation</dt>
        <dd className="mono">{report.tenant_id}</dd>
        <dt>Controls</dt>
        <dd>
          {tally.pass} pass, {tally.fail} fail, {tally.not_applicable} not applicable
        </dd>
      </dl>
      <p className="muted small">The API computes the report at most every 5 minutes; a newer change shows after that.</p>

      <section className="admin-section" aria-labelledby="audit-chain">
        <h2 id="audit-chain">Audit chain</h2>
        <p data-testid="audit-chain" className={chain.valid ? "verified" : "alert-danger"}>
          {chain.valid
            ? `✓ The chain is intact: ${chain.entries_checked} entries checked.`
            : `✕ The chain is broken${chain.first_bad_entry != null ? ` at entry ${chain.first_bad_entry}` : ""}: ${chain.entries_checked} entries checked.`}
          {chain.head_hash && (
            <>
              {" "}
              Head hash <code className="wrap">{chain.head_hash}</code>.
            </>
          )}
        </p>
      </section>

      <section className="admin-section" aria-labelledby="compliance-agents">
        <h2 id="compliance-agents">Agents</h2>
        {report.agents.length === 0 ? (
          <p>No agents registered: there is nothing to check per agent.</p>
        ) : (
          <table className="data" aria-labelledby="compliance-agents">
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Published</th>
                <th scope="col">Agent card</th>
                <th scope="col">DID document</th>
                <th scope="col">Credential rotated</th>
                <th scope="col">Least privilege</th>
              </tr>
            </thead>
            <tbody>
              {report.agents.map((a) => (
                <tr key={a.id}>
                  <th scope="row">
                    {a.name} <div className="mono muted small">{a.id}</div>
                  </th>
                  <td>{a.published ? "yes" : "no"}</td>
                  <td>
                    {yesNo(a.card_valid, "valid", "invalid")}
                    {a.card_problems.length > 0 && (
                      <ul className="plain small">
                        {a.card_problems.map((p) => (
                          <li key={p}>{p}</li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td>{yesNo(a.did_resolvable, "resolvable", "not resolvable")}</td>
                  <td>{yesNo(a.credentials_within_policy, rotationText(a, report.credential_rotation_policy_days), rotationText(a, report.credential_rotation_policy_days))}</td>
                  <td>
                    {yesNo(a.least_privilege, "yes", "no")}
                    {a.scope_flags.length > 0 && (
                      <ul className="plain small">
                        {a.scope_flags.map((f) => (
                          <li key={f}>{f}</li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="admin-section" aria-labelledby="compliance-controls">
        <h2 id="compliance-controls">Controls</h2>
        <table className="data" aria-labelledby="compliance-controls">
          <thead>
            <tr>
              <th scope="col">Control</th>
              <th scope="col">Status</th>
              <th scope="col">Evidence</th>
            </tr>
          </thead>
          <tbody>
            {report.controls.map((c) => (
              <tr key={c.id}>
                <th scope="row">
                  {c.title} <div className="mono muted small">{c.id}</div>
                </th>
                <td>
                  <span className={`badge badge-${STATUS_CLASS[c.status]}`}>
                    <span aria-hidden="true">{STATUS_SYMBOL[c.status]}</span> {STATUS_WORDS[c.status]}
                  </span>
                </td>
                <td>
                  {c.evidence.length === 0 ? (
                    "none"
                  ) : (
                    <ul className="plain small">
                      {c.evidence.map((e) => (
                        <li key={e}>{e}</li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}

export default function Compliance() {
  const report = useApi(() => call(() => api.GET("/api/v1/compliance/report")), []);
  return (
    <>
      <h1>Compliance report</h1>
      <p className="lead">
        Every agent's card, DID document, credential rotation and scopes, the audit chain's integrity, and the controls
        they add up to: the evidence an auditor asks for.
      </p>
      <Async value={report} label="Building the compliance report">
        {(r) => <ReportView report={r} reload={report.reload} />}
      </Async>
    </>
  );
}

import { Link, useParams } from "react-router";
import { api, call, collect } from "../../api/client";
import { Badge } from "../../components/Badge";
import { count, json, ms, usd, when } from "../../components/format";
import { Async } from "../../components/States";
import { useApi } from "../../components/useApi";
import { Timeline } from "./Timeline";

interface Decision {
  action?: string;
  decision?: string;
  approval_id?: string | null;
  [key: string]: unknown;
}

export default function RunDetail() {
  const { id = "" } = useParams();
  const run = useApi(() => call(() => api.GET("/api/v1/runs/{id}", { params: { path: { id } } })), [id]);
  const agentId = run.state === "ready" ? run.data.agent_id : null;
  const agent = useApi(
    async () => (agentId ? call(() => api.GET("/api/v1/agents/{id}", { params: { path: { id: agentId } } })) : null),
    [agentId],
  );
  const events = useApi(
    () =>
      collect(
        (cursor) => call(() => api.GET("/api/v1/events/{run_id}", { params: { path: { run_id: id }, query: { limit: 200, cursor } } })),
        5000,
      ),
    [id],
  );
  return (
    <Async value={run} label="Loading the run">
      {(r) => (
        <>
          <p>
            <Link to="/app/runs">← Runs</Link>
          </p>
          <h1>
            Run <span className="mono">{r.run_id}</span> <Badge value={r.status} />
          </h1>
          <dl className="facts">
            <dt>Agent</dt>
            <dd><Link to={`/app/agents/${encodeURIComponent(r.agent_id)}`}>{agent.data?.name ?? r.agent_id}</Link></dd>
            <dt>Team</dt>
            <dd>{r.team ?? "—"}</dd>
            <dt>Started / ended</dt>
            <dd>{when(r.start_time)} / {when(r.end_time)}</dd>
            <dt>Latency</dt>
            <dd>{ms(r.latency_ms)}</dd>
            <dt>Model</dt>
            <dd>{r.provider ? `${r.provider} / ` : ""}{r.model ?? "—"}</dd>
            <dt>Token usage</dt>
            <dd>
              {count(r.token_usage.input)} input · {count(r.token_usage.output)} output · {count(r.token_usage.cache_read)} cache read ·{" "}
              {count(r.token_usage.cache_write)} cache write
            </dd>
            <dt>Cost</dt>
            <dd data-testid="run-cost">{r.unpriced ? <span className="flag">⚠ unpriced (no price for this model)</span> : usd(r.cost_usd)}</dd>
            <dt>Price version</dt>
            <dd>{r.price_version ?? "—"}</dd>
            <dt>External reference</dt>
            <dd>{r.external_reference ?? "—"}</dd>
          </dl>
          <section aria-labelledby="timeline">
            <h2 id="timeline">Timeline</h2>
            <Async value={events} label="Loading events">
              {(items) => <Timeline events={items} start={r.start_time} end={r.end_time} />}
            </Async>
          </section>
          <section aria-labelledby="io">
            <h2 id="io">Input and output</h2>
            <div className="two">
              <div>
                <h3>Input</h3>
                <pre tabIndex={0} aria-label="Run input">{json(r.input) || "(none)"}</pre>
              </div>
              <div>
                <h3>Output</h3>
                <pre tabIndex={0} aria-label="Run output">{json(r.output) || "(none)"}</pre>
              </div>
            </div>
          </section>
          <section aria-labelledby="decisions">
            <h2 id="decisions">Policy decisions</h2>
            {r.policy_decisions.length === 0 ? (
              <p className="muted">No policy decisions were reported with this run.</p>
            ) : (
              <table className="data">
                <thead>
                  <tr>
                    <th scope="col">Action</th>
                    <th scope="col">Decision</th>
                    <th scope="col">Approval</th>
                  </tr>
                </thead>
                <tbody>
                  {(r.policy_decisions as Decision[]).map((d, i) => (
                    <tr key={i}>
                      <td>{d.action ?? "—"}</td>
                      <td>{d.decision ? <Badge value={d.decision} /> : "—"}</td>
                      <td className="mono">{d.approval_id ?? "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </Async>
  );
}

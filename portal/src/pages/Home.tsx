import { useState } from "react";
import { Link } from "react-router";
import { api, call, collect, type CostDay } from "../api/client";
import { DailyChart } from "../components/charts";
import { DateRange, lastDays } from "../components/DateRange";
import { count, ms, usd } from "../components/format";
import { Kpi } from "../components/Kpi";
import { Async, Empty } from "../components/States";
import { useApi } from "../components/useApi";

export function toDayPoints(days: CostDay[]) {
  return days.map((d) => ({ date: d.date, runs: d.runs, cost: Number(d.cost_usd) }));
}

async function agentCounts() {
  const agents = await collect((cursor) => call(() => api.GET("/api/v1/agents", { params: { query: { limit: 100, cursor } } })));
  return {
    active: agents.filter((a) => a.status === "active").length,
    paused: agents.filter((a) => a.status === "paused").length,
    names: new Map(agents.map((a) => [a.id, a.name])),
  };
}

export default function Home() {
  const [range, setRange] = useState(lastDays(30));
  const home = useApi(() => call(() => api.GET("/api/v1/dashboard/home")), []);
  const agents = useApi(agentCounts, []);
  const costs = useApi(() => call(() => api.GET("/api/v1/costs/summary", { params: { query: range } })), [range.from, range.to]);
  return (
    <>
      <h1>Home</h1>
      <Async value={home} label="Loading the dashboard">
        {({ kpis, top_agents }) => (
          <>
            <dl className="kpis" aria-label="Key figures">
              <Kpi label="Runs (7 days)" value={count(kpis.runs_7d)} note={`${count(kpis.runs_today)} today`} />
              <Kpi label="Errors (7 days)" value={count(kpis.errors_7d)} note={`${(kpis.error_rate_7d * 100).toFixed(1)}% of runs`} tone={kpis.errors_7d > 0 ? "bad" : undefined} />
              <Kpi label="Cost (30 days)" value={usd(kpis.cost_30d_usd)} note={`${usd(kpis.cost_today_usd)} today${kpis.unpriced_runs_30d ? `, ⚠ ${kpis.unpriced_runs_30d} unpriced` : ""}`} />
              <Kpi label="Latency p50 / p95" value={`${ms(kpis.latency_p50_ms)} / ${ms(kpis.latency_p95_ms)}`} />
              <Kpi label="Active agents" value={agents.state === "ready" ? count(agents.data.active) : "…"} />
              <Kpi label="Paused agents" value={agents.state === "ready" ? count(agents.data.paused) : "…"} tone={agents.state === "ready" && agents.data.paused > 0 ? "bad" : undefined} />
            </dl>
            {kpis.runs_7d === 0 && (
              <Empty title="No runs yet.">
                <p>
                  <Link to="/onboarding">Set up an agent</Link> and send its first run to fill this dashboard.
                </p>
              </Empty>
            )}
            {top_agents.length > 0 && (
              <section aria-labelledby="top-agents">
                <h2 id="top-agents">Top agents by cost (30 days)</h2>
                <table className="data">
                  <thead>
                    <tr>
                      <th scope="col">Agent</th>
                      <th scope="col">Runs</th>
                      <th scope="col">Cost</th>
                    </tr>
                  </thead>
                  <tbody>
                    {top_agents.map((a) => (
                      <tr key={a.agent_id}>
                        <td><Link to={`/app/agents/${encodeURIComponent(a.agent_id)}`}>{agents.data?.names.get(a.agent_id) ?? a.agent_id}</Link></td>
                        <td>{count(a.runs)}</td>
                        <td>{usd(a.cost_usd)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
            )}
          </>
        )}
      </Async>
      <section aria-labelledby="trends">
        <h2 id="trends">Trends</h2>
        <DateRange value={range} onChange={setRange} />
        <Async value={costs} label="Loading the trend">
          {(report) => (
            <>
              <p>
                {usd(report.total_cost_usd)} over {count(report.runs)} runs from {report.period_start} to {report.period_end}
                {report.unpriced_runs > 0 && <strong className="flag"> ⚠ {report.unpriced_runs} unpriced runs</strong>}
              </p>
              <DailyChart
                title="Cost and runs by day"
                data={toDayPoints(report.by_day)}
                series={[
                  { key: "runs", label: "Runs", kind: "bar" },
                  { key: "cost", label: "Cost (USD)", kind: "line", axis: "right", format: (v) => usd(String(v)) },
                ]}
              />
            </>
          )}
        </Async>
      </section>
    </>
  );
}

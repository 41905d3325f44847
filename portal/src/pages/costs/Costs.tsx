import { useState } from "react";
import { Link } from "react-router";
import { api, call, collect } from "../../api/client";
import { DailyChart, RankChart } from "../../components/charts";
import { DateRange, lastDays, type Range } from "../../components/DateRange";
import { count, usd } from "../../components/format";
import { Kpi } from "../../components/Kpi";
import { Async, Empty } from "../../components/States";
import { useApi } from "../../components/useApi";
import { toDayPoints } from "../Home";

interface Row {
  key: string;
  label: string;
  cost: number;
  cost_usd: string;
  runs: number;
  unpriced: number;
}

async function byAgent(range: Range): Promise<Row[]> {
  const agents = await collect((cursor) => call(() => api.GET("/api/v1/agents", { params: { query: { limit: 100, cursor } } })));
  const reports = await Promise.all(
    agents.map((a) => call(() => api.GET("/api/v1/costs/by-agent/{id}", { params: { path: { id: a.id }, query: range } })).then((r) => ({ a, r }))),
  );
  return reports
    .map(({ a, r }) => ({ key: a.id, label: a.name, cost: Number(r.total_cost_usd), cost_usd: r.total_cost_usd, runs: r.runs, unpriced: r.unpriced_runs }))
    .sort((x, y) => y.cost - x.cost);
}

async function byTeam(range: Range): Promise<Row[]> {
  const agents = await collect((cursor) => call(() => api.GET("/api/v1/agents", { params: { query: { limit: 100, cursor } } })));
  const teams = [...new Set(agents.map((a) => a.team).filter((t): t is string => Boolean(t)))];
  const reports = await Promise.all(
    teams.map((name) => call(() => api.GET("/api/v1/costs/by-team/{name}", { params: { path: { name }, query: range } })).then((r) => ({ name, r }))),
  );
  return reports
    .map(({ name, r }) => ({ key: name, label: name, cost: Number(r.total_cost_usd), cost_usd: r.total_cost_usd, runs: r.runs, unpriced: r.unpriced_runs }))
    .sort((x, y) => y.cost - x.cost);
}

function CostTable({ rows, caption, link }: { rows: Row[]; caption: string; link?: (key: string) => string }) {
  return (
    <table className="data">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{caption.includes("team") ? "Team" : "Agent"}</th>
          <th scope="col">Runs</th>
          <th scope="col">Cost</th>
          <th scope="col">Unpriced runs</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <td>{link ? <Link to={link(r.key)}>{r.label}</Link> : r.label}</td>
            <td>{count(r.runs)}</td>
            <td>{usd(r.cost_usd)}</td>
            <td>{r.unpriced ? <span className="flag">⚠ {r.unpriced}</span> : "0"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default function Costs() {
  const [range, setRange] = useState(lastDays(30));
  const deps = [range.from, range.to];
  const summary = useApi(() => call(() => api.GET("/api/v1/costs/summary", { params: { query: range } })), deps);
  const agents = useApi(() => byAgent(range), deps);
  const teams = useApi(() => byTeam(range), deps);
  return (
    <>
      <h1>Costs</h1>
      <DateRange value={range} onChange={setRange} />
      <Async value={summary} label="Loading the cost summary">
        {(s) => (
          <>
            <dl className="kpis">
              <Kpi label="Total cost" value={usd(s.total_cost_usd)} />
              <Kpi label="Runs" value={count(s.runs)} />
              <Kpi label="Unpriced runs" value={count(s.unpriced_runs)} tone={s.unpriced_runs ? "bad" : undefined} note={s.unpriced_runs ? "⚠ no price for their model: not in the total" : undefined} />
            </dl>
            <DailyChart
              title="Cost by day"
              data={toDayPoints(s.by_day).map((d, i) => ({ ...d, unpriced: s.by_day[i]?.unpriced_runs ?? 0 }))}
              series={[
                { key: "cost", label: "Cost (USD)", kind: "bar", format: (v) => usd(String(v)) },
                { key: "unpriced", label: "Unpriced runs", kind: "line", axis: "right" },
              ]}
            />
          </>
        )}
      </Async>
      <section aria-labelledby="by-agent">
        <h2 id="by-agent">By agent</h2>
        <Async value={agents} label="Loading costs by agent">
          {(rows) =>
            rows.length === 0 ? (
              <Empty title="No agents yet." />
            ) : (
              <>
                <RankChart title="Cost by agent" data={rows.slice(0, 10).map((r) => ({ name: r.label, value: r.cost }))} format={(v) => usd(String(v))} />
                <CostTable rows={rows} caption="Cost by agent" link={(id) => `/app/agents/${encodeURIComponent(id)}`} />
              </>
            )
          }
        </Async>
      </section>
      <section aria-labelledby="by-team">
        <h2 id="by-team">By team</h2>
        <Async value={teams} label="Loading costs by team">
          {(rows) =>
            rows.length === 0 ? (
              <Empty title="No agent belongs to a team yet.">
                <p>Set a team on an agent to see its costs here.</p>
              </Empty>
            ) : (
              <>
                <RankChart title="Cost by team" data={rows.map((r) => ({ name: r.label, value: r.cost }))} format={(v) => usd(String(v))} />
                <CostTable rows={rows} caption="Cost by team" />
              </>
            )
          }
        </Async>
      </section>
    </>
  );
}

import { useState } from "react";
import { api, call, collect } from "../../api/client";
import { DailyChart } from "../../components/charts";
import { count } from "../../components/format";
import { Kpi } from "../../components/Kpi";
import { Async, Empty } from "../../components/States";
import { useApi } from "../../components/useApi";

const HOURS = Array.from({ length: 24 }, (_, h) => h);

/** 0..4: the shade of a heatmap cell; the number is always printed too. */
export function heatLevel(value: number, max: number): number {
  return value <= 0 || max <= 0 ? 0 : Math.min(4, Math.ceil((value / max) * 4));
}

export default function Analytics() {
  const [days, setDays] = useState(30);
  const tokens = useApi(() => call(() => api.GET("/api/v1/analytics/tokens", { params: { query: { days } } })), [days]);
  const heatmap = useApi(() => call(() => api.GET("/api/v1/analytics/heatmap", { params: { query: { days } } })), [days]);
  const tier = useApi(() => call(() => api.GET("/api/v1/usage")), []);
  const usage = useApi(() => call(() => api.GET("/api/v1/analytics/usage", { params: { query: { days } } })), [days]);
  const names = useApi(
    async () => new Map((await collect((cursor) => call(() => api.GET("/api/v1/agents", { params: { query: { limit: 100, cursor } } })))).map((a) => [a.id, a.name])),
    [],
  );
  return (
    <>
      <h1>Analytics</h1>
      <div className="filters">
        <div>
          <label htmlFor="a-days">Period</label>
          <select id="a-days" value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {[7, 30, 90].map((d) => (
              <option key={d} value={d}>
                Last {d} days
              </option>
            ))}
          </select>
        </div>
      </div>
      <section aria-labelledby="usage">
        <h2 id="usage">Usage against the tier's quota</h2>
        <Async value={usage} label="Loading usage">
          {(u) => (
            <>
              <dl className="kpis">
                <Kpi label="Tier" value={u.tier} />
                <Kpi label="API calls today" value={`${count(u.today.api_calls)} / ${count(u.daily_quota)}`} note={`${u.today.percent_of_quota.toFixed(1)}% of the daily quota`} tone={u.today.percent_of_quota >= 80 ? "bad" : undefined} />
                <Kpi label="Errors today" value={count(u.today.api_errors)} />
                {tier.state === "ready" && (
                  <>
                    <Kpi label="Agents" value={`${count(tier.data.agents.used)} / ${count(tier.data.agents.limit)}`} note="the tier's agent limit" tone={tier.data.agents.used >= tier.data.agents.limit ? "bad" : undefined} />
                    <Kpi label="Runs today" value={count(tier.data.runs.used)} note={`kept ${tier.data.retention_days} days`} />
                  </>
                )}
              </dl>
              <div className="meter-wrap">
                <label htmlFor="quota-meter">Today's quota used</label>
                <meter id="quota-meter" min={0} max={100} low={60} high={80} optimum={0} value={u.today.percent_of_quota}>
                  {u.today.percent_of_quota.toFixed(1)}%
                </meter>
                <span>{u.today.percent_of_quota.toFixed(1)}%</span>
              </div>
              <DailyChart
                title="API calls by day"
                data={u.by_day.map((d) => ({ date: d.date, calls: d.api_calls, errors: d.api_errors }))}
                series={[
                  { key: "calls", label: "API calls", kind: "bar" },
                  { key: "errors", label: "Errors", kind: "line" },
                ]}
              />
            </>
          )}
        </Async>
      </section>
      <section aria-labelledby="tokens">
        <h2 id="tokens">Token issuance</h2>
        <Async value={tokens} label="Loading the token trend">
          {(t) => (
            <>
              <p>{count(t.total)} tokens issued in the last {t.days} days.</p>
              <DailyChart title="Tokens issued by day" data={t.by_day.map((d) => ({ date: d.date, tokens: d.tokens_issued }))} series={[{ key: "tokens", label: "Tokens issued", kind: "bar" }]} />
            </>
          )}
        </Async>
      </section>
      <section aria-labelledby="heatmap">
        <h2 id="heatmap">Activity by agent and hour (UTC)</h2>
        <Async value={heatmap} label="Loading the heatmap">
          {(h) => {
            if (h.agents.length === 0) return <Empty title="No activity in this period." />;
            const max = Math.max(...h.agents.flatMap((a) => a.hours));
            return (
              <div className="heatmap-wrap" tabIndex={0} role="region" aria-label="Heatmap, scrollable">
                <table className="heatmap">
                  <caption className="visually-hidden">Runs by agent and hour of day, UTC</caption>
                  <thead>
                    <tr>
                      <th scope="col">Agent</th>
                      {HOURS.map((hr) => (
                        <th key={hr} scope="col">
                          {String(hr).padStart(2, "0")}
                        </th>
                      ))}
                      <th scope="col">Total</th>
                    </tr>
                  </thead>
                  <tbody>
                    {h.agents.map((row) => (
                      <tr key={row.agent_id}>
                        <th scope="row">{names.data?.get(row.agent_id) ?? row.agent_id}</th>
                        {HOURS.map((hr) => {
                          const v = row.hours[hr] ?? 0;
                          return (
                            <td key={hr} className={`heat heat-${heatLevel(v, max)}`}>
                              {v || ""}
                            </td>
                          );
                        })}
                        <td>{count(row.total)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            );
          }}
        </Async>
      </section>
    </>
  );
}

import { Link } from "react-router";
import { api, call } from "../../api/client";
import { count, usd } from "../../components/format";
import { Async, Empty } from "../../components/States";
import { useApi } from "../../components/useApi";

export default function Pricing() {
  const tiers = useApi(() => call(() => api.GET("/api/v1/tiers")), []);
  return (
    <>
      <h1>Pricing</h1>
      <p className="lead">Every organisation starts on the free tier. Limits apply per organisation.</p>
      <Async value={tiers} label="Loading tiers">
        {(data) =>
          data.items.length === 0 ? (
            <Empty title="No tiers are configured." />
          ) : (
            <ul className="cards tiers">
              {data.items.map((tier) => (
                <li key={tier.name} className="card tier">
                  <h2>{tier.name[0]?.toUpperCase() + tier.name.slice(1)}</h2>
                  <p className="price">
                    {Number(tier.price_usd_month) === 0 ? "Free" : `${usd(tier.price_usd_month)} / month`}
                  </p>
                  <dl>
                    <dt>Agents</dt>
                    <dd>{count(tier.agent_limit)}</dd>
                    <dt>API calls per day</dt>
                    <dd>{count(tier.daily_quota)}</dd>
                    <dt>Rate limit</dt>
                    <dd>
                      {count(tier.rate_per_second)} requests/s (burst {count(tier.burst)})
                    </dd>
                    <dt>Data retention</dt>
                    <dd>{count(tier.retention_days)} days</dd>
                  </dl>
                  <Link to="/signup" className="button">
                    {Number(tier.price_usd_month) === 0 ? "Start free" : "Start free, upgrade later"}
                  </Link>
                </li>
              ))}
            </ul>
          )
        }
      </Async>
    </>
  );
}

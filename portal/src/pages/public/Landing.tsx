import { Link } from "react-router";
import { useAuth } from "../../auth/AuthContext";

const FEATURES: [string, string][] = [
  ["Identity for every agent", "OAuth 2.0 client credentials, short-lived ES256 tokens, rotation with a grace period, instant revocation and a kill switch."],
  ["Governance", "Policies that allow, deny or ask a person to approve; budgets that alert and pause; a tamper-evident, KMS-signed audit log."],
  ["Cost control", "Every run priced from a versioned price table (or your negotiated prices), by agent, team and day, with unpriced runs flagged."],
  ["Observability", "Runs and their events on a forensic timeline, dashboards, token issuance trends and an activity heatmap."],
];

export function Landing() {
  const { status } = useAuth();
  return (
    <>
      <section className="hero">
        <h1>Identity, governance and cost control for your AI agents</h1>
        <p className="lead">
          AgentGate gives each agent its own credentials, decides what it may do, and tells you what every run cost: one
          API, one console.
        </p>
        <div className="hero-actions">
          {status === "signed-in" ? (
            <Link to="/app" className="button primary">
              Open the console
            </Link>
          ) : (
            <Link to="/signup" className="button primary">
              Start free: first costed run in five minutes
            </Link>
          )}
          <Link to="/docs/quickstart" className="button">
            Read the quick start
          </Link>
        </div>
      </section>
      <section aria-labelledby="features">
        <h2 id="features">What it does</h2>
        <ul className="cards">
          {FEATURES.map(([title, text]) => (
            <li key={title} className="card">
              <h3>{title}</h3>
              <p>{text}</p>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="how">
        <h2 id="how">How it works</h2>
        <ol className="steps">
          <li>Register an agent and receive its client id and secret.</li>
          <li>The agent exchanges them for a token at <code>/oauth2/token</code>.</li>
          <li>It asks <code>/api/v1/authorize</code> before acting and reports each run to <code>/api/v1/ingest/run</code>.</li>
          <li>You see runs, costs and decisions here, and pause any agent in one click.</li>
        </ol>
      </section>
    </>
  );
}

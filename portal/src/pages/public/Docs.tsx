import type { ReactNode } from "react";
import { NavLink, useParams } from "react-router";
import { CopyButton } from "../../components/CopyButton";

function Code({ children, label }: { children: string; label: string }) {
  return (
    <div className="code">
      <pre tabIndex={0} aria-label={label}>
        <code>{children}</code>
      </pre>
      <CopyButton text={children} label={label} />
    </div>
  );
}

const origin = typeof window === "undefined" ? "https://agentgate.example" : window.location.origin;

function QuickStart() {
  return (
    <>
      <h1>Quick start</h1>
      <ol className="steps">
        <li>
          <a href="/signup">Sign up</a>: your organisation starts on the free tier and the set-up wizard opens.
        </li>
        <li>Name your first agent. Its client id and secret are shown once: copy them.</li>
        <li>Run the snippet the wizard gives you: it gets a token and reports a first run.</li>
        <li>Watch the run arrive with its cost; open it for its timeline.</li>
      </ol>
      <h2>The same by hand</h2>
      <p>Get a token with the agent's client credentials (OAuth 2.0 client credentials grant):</p>
      <Code label="token request">{`curl -s -u "$CLIENT_ID:$CLIENT_SECRET" \\
  -d grant_type=client_credentials \\
  ${origin}/oauth2/token`}</Code>
      <p>Report a run with that token; it is priced from the model and token usage:</p>
      <Code label="run ingestion">{`curl -s -X POST ${origin}/api/v1/ingest/run \\
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
  -d '{"run_id": "run-0001", "status": "success",
       "start_time": "2026-01-01T12:00:00Z", "end_time": "2026-01-01T12:00:02Z",
       "model": "gpt-4o-mini", "provider": "openai",
       "token_usage": {"input": 1200, "output": 300}}'`}</Code>
      <p>
        The API answers <code>202</code>; the run shows in <a href="/app/runs">Runs</a> within seconds.
      </p>
    </>
  );
}

function Sdk() {
  return (
    <>
      <h1>SDK and HTTP</h1>
      <p>
        Everything an agent does is plain HTTPS with JSON, so any language works today. The calls an agent makes, in
        order:
      </p>
      <table>
        <caption className="visually-hidden">Agent calls</caption>
        <thead>
          <tr>
            <th scope="col">Call</th>
            <th scope="col">Purpose</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td><code>POST /oauth2/token</code></td>
            <td>Exchange client id and secret for a short-lived access token (re-request before <code>expires_in</code>).</td>
          </tr>
          <tr>
            <td><code>POST /api/v1/authorize</code></td>
            <td>Ask whether an action is allowed now: <code>allow</code>, <code>deny</code> or <code>pending</code> approval.</td>
          </tr>
          <tr>
            <td><code>POST /api/v1/ingest/run</code></td>
            <td>Report a run: status, times, model, token usage, events (the timeline), policy decisions.</td>
          </tr>
          <tr>
            <td><code>POST /api/v1/ingest/batch</code></td>
            <td>Up to 500 runs at once; a result per run.</td>
          </tr>
        </tbody>
      </table>
      <h2>Python (standard library only)</h2>
      <Code label="Python example">{`import base64, json, urllib.parse, urllib.request

API = "${origin}"
basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
req = urllib.request.Request(
    f"{API}/oauth2/token",
    data=urllib.parse.urlencode({"grant_type": "client_credentials"}).encode(),
    headers={"Authorization": f"Basic {basic}"},
)
token = json.load(urllib.request.urlopen(req))["access_token"]

decision = json.load(urllib.request.urlopen(urllib.request.Request(
    f"{API}/api/v1/authorize",
    data=json.dumps({"action": "email.send", "estimated_cost_usd": "0.02"}).encode(),
    headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
)))
print(decision["decision"], decision["reasons"])`}</Code>
      <p>
        Every route, with its request and response schema, is in the <a href="/explorer">API explorer</a>.
      </p>
    </>
  );
}

function OAuth() {
  return (
    <>
      <h1>OAuth 2.0 and OIDC</h1>
      <p>
        AgentGate is an OAuth 2.0 authorization server for your agents. Its metadata is at{" "}
        <a href="/.well-known/oauth-authorization-server">/.well-known/oauth-authorization-server</a> (RFC 8414) and{" "}
        <a href="/.well-known/openid-configuration">/.well-known/openid-configuration</a>; the signing keys at{" "}
        <a href="/.well-known/jwks.json">/.well-known/jwks.json</a> (ES256, P-256).
      </p>
      <h2>Client credentials</h2>
      <p>
        <code>POST /oauth2/token</code>, form-encoded, with <code>grant_type=client_credentials</code>, the client
        authenticated by HTTP Basic (<code>client_secret_basic</code>) or in the body (<code>client_secret_post</code>).
        Optional <code>scope</code> (a subset of the agent's scopes) and <code>resource</code> or{" "}
        <code>audience</code>.
      </p>
      <h2>Verifying tokens in your services</h2>
      <p>
        Access tokens are JWTs (<code>typ: at+jwt</code>, RFC 9068) with <code>iss</code>, <code>sub</code> (the agent
        id), <code>aud</code>, <code>exp</code>, <code>iat</code>, <code>jti</code>, <code>client_id</code>,{" "}
        <code>scope</code> and <code>tenant_id</code>. Verify the signature with the JWKS, or ask{" "}
        <code>POST /oauth2/introspect</code> (RFC 7662), which also knows about revocation and paused agents.
      </p>
      <h2>Revocation, rotation, pausing</h2>
      <ul>
        <li><code>POST /oauth2/revoke</code> (RFC 7009) revokes one token.</li>
        <li>Rotating a credential keeps the previous secret valid for a grace period; revoking one ends it at once.</li>
        <li>A paused agent gets no tokens, and every call it makes with an existing token answers 403.</li>
      </ul>
    </>
  );
}

function Policies() {
  return (
    <>
      <h1>Policy language</h1>
      <p>
        A policy applies to agents (by id) and teams, and has an <code>action</code>: <code>allow</code>,{" "}
        <code>deny</code> or <code>require_approval</code>. Its <code>conditions</code> are a tree of{" "}
        <code>all</code>/<code>any</code> groups over comparisons; no conditions match every request in scope.
      </p>
      <Code label="policy conditions example">{`{"all": [
  {"field": "action", "op": "glob", "value": "payments.refund*"},
  {"any": [
    {"field": "context.amount", "op": "gt", "value": 500},
    {"field": "time.weekday", "op": "in", "value": ["sat", "sun"]}
  ]}
]}`}</Code>
      <table>
        <caption>Fields and their operators</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Meaning</th>
            <th scope="col">Operators</th>
          </tr>
        </thead>
        <tbody>
          {[
            ["action", "the action asked for in /authorize", "eq ne in not_in glob contains"],
            ["resource", "the resource, if given", "eq ne in not_in glob contains"],
            ["agent.id, agent.team", "the calling agent and its team", "eq ne in not_in glob contains"],
            ["agent.tags", "the agent's tags", "contains, in (any), not_in (none)"],
            ["estimated_cost_usd", "the request's cost estimate", "eq ne in not_in gt gte lt lte"],
            ["time.hour", "hour of day, UTC, 0–23", "eq ne in not_in gt gte lt lte"],
            ["time.weekday", "mon … sun, UTC", "eq ne in not_in"],
            ["context.<key>", "a value of the request's context", "all"],
          ].map(([field, meaning, ops]) => (
            <tr key={field}>
              <td><code>{field}</code></td>
              <td>{meaning}</td>
              <td>{ops}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        An absent field satisfies no comparison, <code>ne</code> and <code>not_in</code> included. Anything else is
        refused when the policy is written, with a 400 naming the path and the problem.
      </p>
    </>
  );
}

const PAGES: Record<string, [string, () => ReactNode]> = {
  quickstart: ["Quick start", QuickStart],
  sdk: ["SDK and HTTP", Sdk],
  oauth: ["OAuth 2.0", OAuth],
  policies: ["Policy language", Policies],
};

export default function Docs() {
  const { page = "quickstart" } = useParams();
  const entry = PAGES[page];
  return (
    <div className="docs">
      <nav aria-label="Documentation" className="docs-nav">
        {Object.entries(PAGES).map(([slug, [title]]) => (
          <NavLink key={slug} to={`/docs/${slug}`}>
            {title}
          </NavLink>
        ))}
      </nav>
      <article>{entry ? entry[1]() : <h1>No such documentation page</h1>}</article>
    </div>
  );
}

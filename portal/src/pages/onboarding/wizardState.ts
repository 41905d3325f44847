/**
 * The onboarding wizard as a pure state machine: name → credentials → snippet → arrived. The
 * wizard polls for the run from the moment the snippet is shown (it may arrive before anyone
 * clicks on), so "waiting" is the snippet step after the user said they ran it.
 */
import type { Agent, IssuedCredential, Run } from "../../api/client";

export type Step = "name" | "credentials" | "snippet" | "waiting" | "arrived";

export interface WizardState {
  step: Step;
  agent: Agent | null;
  credential: IssuedCredential | null;
  /** The user confirmed they stored the secret: it is never shown again. */
  secretSaved: boolean;
  /** The run id the snippet sends: the wizard waits for exactly this run. */
  runId: string;
  polls: number;
  run: Run | null;
  error: string | null;
}

export type WizardAction =
  | { type: "created"; agent: Agent; credential: IssuedCredential }
  | { type: "failed"; message: string }
  | { type: "secretSaved"; saved: boolean }
  | { type: "next" }
  | { type: "polled" }
  | { type: "arrived"; run: Run };

export function initialWizard(runId: string): WizardState {
  return { step: "name", agent: null, credential: null, secretSaved: false, runId, polls: 0, run: null, error: null };
}

export function wizardReducer(state: WizardState, action: WizardAction): WizardState {
  switch (action.type) {
    case "created":
      return state.step === "name"
        ? { ...state, step: "credentials", agent: action.agent, credential: action.credential, error: null }
        : state;
    case "failed":
      return { ...state, error: action.message };
    case "secretSaved":
      return state.step === "credentials" ? { ...state, secretSaved: action.saved } : state;
    case "next":
      if (state.step === "credentials" && state.secretSaved) return { ...state, step: "snippet" };
      if (state.step === "snippet") return { ...state, step: "waiting", polls: 0 };
      return state;
    case "polled":
      return state.step === "waiting" || state.step === "snippet" ? { ...state, polls: state.polls + 1 } : state;
    case "arrived":
      return state.step === "waiting" || state.step === "snippet"
        ? { ...state, step: "arrived", run: action.run, credential: state.credential && { ...state.credential, client_secret: "" } }
        : state;
  }
}

/** Polling backoff: 1 s, then ×1.5 per miss, capped at 10 s. */
export function pollDelayMs(polls: number): number {
  return Math.min(1000 * 1.5 ** polls, 10_000);
}

/** A run id that is valid for the API and unique enough for a first run. */
export function firstRunId(random: () => number = Math.random): string {
  return `first-run-${Math.floor(random() * 36 ** 8).toString(36).padStart(8, "0")}`;
}

export interface SnippetInput {
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  runId: string;
  startedAt: Date;
}

function runBody({ runId, startedAt }: SnippetInput): Record<string, unknown> {
  const at = (ms: number) => new Date(startedAt.getTime() + ms).toISOString();
  return {
    run_id: runId,
    status: "success",
    start_time: at(0),
    end_time: at(2400),
    model: "gpt-4o-mini",
    provider: "openai",
    input: { prompt: "Summarise today's support tickets" },
    output: { summary: "3 tickets: 2 billing questions, 1 bug report." },
    token_usage: { input: 1200, output: 350, cache_read: 0, cache_write: 0 },
    events: [
      { event_id: `${runId}-1`, type: "run.started", timestamp: at(0), payload: { task: "summarise tickets" } },
      { event_id: `${runId}-2`, type: "tool.call", timestamp: at(400), payload: { tool: "tickets.list", count: 3 } },
      { event_id: `${runId}-3`, type: "llm.call", timestamp: at(900), payload: { model: "gpt-4o-mini", input_tokens: 1200, output_tokens: 350 } },
      { event_id: `${runId}-4`, type: "run.finished", timestamp: at(2400), payload: { status: "success" } },
    ],
  };
}

/** One shell word, whatever it contains: single quotes, each inner one closed, escaped, reopened. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A POSIX shell snippet (curl and sed only) that gets a token and sends the first run. */
export function curlSnippet(input: SnippetInput): string {
  const body = shellQuote(JSON.stringify(runBody(input)));
  return [
    `API=${input.apiUrl}`,
    `CLIENT_ID=${shellQuote(input.clientId)}`,
    `CLIENT_SECRET=${shellQuote(input.clientSecret)}`,
    `TOKEN=$(curl -s -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials "$API/oauth2/token" \\`,
    `  | sed -E 's/.*"access_token" *: *"([^"]+)".*/\\1/')`,
    `curl -s -X POST "$API/api/v1/ingest/run" -H "Authorization: Bearer $TOKEN" \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d ${body}`,
  ].join("\n");
}

/** The same with Python's standard library (no SDK to install). */
export function pythonSnippet(input: SnippetInput): string {
  const body = JSON.stringify(runBody(input), null, 2);
  return `import base64, json, urllib.parse, urllib.request

API = "${input.apiUrl}"
basic = base64.b64encode(b"${input.clientId}:${input.clientSecret}").decode()
token = json.load(urllib.request.urlopen(urllib.request.Request(
    f"{API}/oauth2/token",
    data=urllib.parse.urlencode({"grant_type": "client_credentials"}).encode(),
    headers={"Authorization": f"Basic {basic}"},
)))["access_token"]
run = json.loads('''${body}''')
answer = urllib.request.urlopen(urllib.request.Request(
    f"{API}/api/v1/ingest/run", data=json.dumps(run).encode(),
    headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
))
print(answer.status, answer.read().decode())`;
}

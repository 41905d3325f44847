import { describe, expect, it } from "vitest";
import type { Agent, IssuedCredential, Run } from "../../api/client";
import { curlSnippet, firstRunId, initialWizard, pollDelayMs, pythonSnippet, shellQuote, wizardReducer } from "./wizardState";

const agent = { id: "ag_1", name: "triage" } as Agent;
const credential = { credential_id: "c1", client_id: "agc_1", client_secret: "ags_secret", expires_at: "2027-01-01T00:00:00Z" } as IssuedCredential;
const run = { id: "first-run-1", run_id: "first-run-1", cost_usd: "0.00039" } as Run;

describe("the wizard's steps", () => {
  it("goes name → credentials → snippet → arrived, and forgets the secret once the run arrived", () => {
    let s = initialWizard("first-run-1");
    expect(s.step).toBe("name");
    s = wizardReducer(s, { type: "created", agent, credential });
    expect(s.step).toBe("credentials");
    s = wizardReducer(s, { type: "secretSaved", saved: true });
    s = wizardReducer(s, { type: "next" });
    expect(s.step).toBe("snippet");
    s = wizardReducer(s, { type: "polled" });
    s = wizardReducer(s, { type: "arrived", run });
    expect(s.step).toBe("arrived");
    expect(s.run).toBe(run);
    expect(s.credential?.client_secret).toBe("");
  });

  it("does not leave the credentials step before the secret is acknowledged", () => {
    let s = wizardReducer(initialWizard("r"), { type: "created", agent, credential });
    s = wizardReducer(s, { type: "next" });
    expect(s.step).toBe("credentials");
    s = wizardReducer(wizardReducer(s, { type: "secretSaved", saved: true }), { type: "secretSaved", saved: false });
    expect(wizardReducer(s, { type: "next" }).step).toBe("credentials");
  });

  it("counts polls only while waiting, and ignores a run before the snippet is shown", () => {
    const s = initialWizard("r");
    expect(wizardReducer(s, { type: "polled" }).polls).toBe(0);
    expect(wizardReducer(s, { type: "arrived", run }).step).toBe("name");
    let waiting = wizardReducer(wizardReducer(wizardReducer(s, { type: "created", agent, credential }), { type: "secretSaved", saved: true }), { type: "next" });
    waiting = wizardReducer(wizardReducer(waiting, { type: "polled" }), { type: "polled" });
    expect(waiting.polls).toBe(2);
  });

  it("keeps a failure's message without moving on", () => {
    const s = wizardReducer(initialWizard("r"), { type: "failed", message: "The tier's agent limit is reached." });
    expect([s.step, s.error]).toEqual(["name", "The tier's agent limit is reached."]);
  });
});

describe("polling backoff", () => {
  it("starts at one second, grows by half each miss and caps at ten", () => {
    expect([0, 1, 2, 3, 10, 50].map(pollDelayMs)).toEqual([1000, 1500, 2250, 3375, 10000, 10000]);
  });
});

describe("the snippets", () => {
  const input = { apiUrl: "http://127.0.0.1:8000", clientId: "agc_1", clientSecret: "ags_x'y", runId: "first-run-abc", startedAt: new Date("2026-01-01T12:00:00Z") };

  it("quote every value for the shell, single quotes included", () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    const curl = curlSnippet(input);
    expect(curl).toContain(`CLIENT_SECRET='ags_x'\\''y'`);
    expect(curl).toContain('"$API/oauth2/token"');
    expect(curl).toContain('"$API/api/v1/ingest/run"');
  });

  it("send the run the wizard waits for, priced by model and token usage, with its events", () => {
    const body = JSON.parse(curlSnippet(input).split("-d '")[1]!.replace(/'\\''/g, "'").replace(/'$/, ""));
    expect(body.run_id).toBe("first-run-abc");
    expect(body.model).toBe("gpt-4o-mini");
    expect(body.token_usage.input).toBeGreaterThan(0);
    expect(body.events.map((e: { type: string }) => e.type)).toEqual(["run.started", "tool.call", "llm.call", "run.finished"]);
    expect(body.start_time).toBe("2026-01-01T12:00:00.000Z");
    expect(pythonSnippet(input)).toContain('"run_id": "first-run-abc"');
  });

  it("make run ids the ingest API accepts", () => {
    expect(firstRunId(() => 0)).toBe("first-run-00000000");
    expect(firstRunId()).toMatch(/^first-run-[0-9a-z]{8}$/);
  });
});

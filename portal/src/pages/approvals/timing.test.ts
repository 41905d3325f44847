import { describe, expect, it } from "vitest";
import { deadline, formatRemaining, nextPollDelay, POLL_ERROR_MAX_MS, POLL_FIRST_MS, POLL_MAX_MS, signature, spokenRemaining } from "./timing";

const pending = { status: "pending", stage: "initial" as const, created_at: "2026-03-02T10:00:00Z", timeout_seconds: 600 };

describe("an approval's countdown", () => {
  it("ends timeout_seconds after the request", () => {
    expect(deadline(pending)).toBe(Date.parse("2026-03-02T10:10:00Z"));
  });

  it("restarts from the escalation for the second wait", () => {
    expect(deadline({ ...pending, stage: "escalated", escalated_at: "2026-03-02T10:10:02Z" })).toBe(Date.parse("2026-03-02T10:20:02Z"));
  });

  it("has no deadline once decided or expired", () => {
    expect(deadline({ ...pending, status: "approved" })).toBeNull();
    expect(deadline({ ...pending, status: "expired" })).toBeNull();
  });

  it.each([
    [0, "0 s"],
    [-5000, "0 s"],
    [999, "0 s"],
    [42_000, "42 s"],
    [60_000, "1 min 00 s"],
    [249_000, "4 min 09 s"],
    [3_900_000, "1 h 05 min"],
    [183_600_000, "2 d 03 h"],
  ])("formats %i ms as %s", (ms, text) => {
    expect(formatRemaining(ms)).toBe(text);
  });

  it("reads in words for screen readers", () => {
    expect(spokenRemaining(249_000)).toBe("4 minutes 9 seconds left");
    expect(spokenRemaining(3_601_000)).toBe("1 hour 1 second left");
    expect(spokenRemaining(0)).toBe("time is up");
  });
});

describe("the inbox's polling", () => {
  it("backs off while nothing changes, up to its cap", () => {
    let delay = POLL_FIRST_MS;
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) seen.push((delay = nextPollDelay(delay, "unchanged")));
    expect(seen.slice(0, 3)).toEqual([3000, 4500, 6750]);
    expect(seen.at(-1)).toBe(POLL_MAX_MS);
  });

  it("returns to the first delay after a change", () => {
    expect(nextPollDelay(POLL_MAX_MS, "changed")).toBe(POLL_FIRST_MS);
  });

  it("doubles on failures up to a minute", () => {
    expect(nextPollDelay(POLL_FIRST_MS, "failed")).toBe(4000);
    expect(nextPollDelay(50_000, "failed")).toBe(POLL_ERROR_MAX_MS);
  });

  it("sees a status or stage change as a change", () => {
    const a = { id: "apr_1", status: "pending", stage: "initial" };
    expect(signature([a])).not.toBe(signature([{ ...a, stage: "escalated" }]));
    expect(signature([a])).toBe(signature([{ ...a }]));
  });
});

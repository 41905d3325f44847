import { describe, expect, it } from "vitest";
import { auditQuery, entityQuery, verificationSentence } from "./auditFilters";

describe("entityQuery", () => {
  it("reads kind:id as one entity", () => {
    expect(entityQuery(" agent:agt_1 ")).toEqual({ target: "agent:agt_1" });
  });
  it("reads a bare word as every entity of that kind", () => {
    expect(entityQuery("Api_Key")).toEqual({ target_type: "api_key" });
  });
  it("leaves an empty box out", () => {
    expect(entityQuery("  ")).toEqual({});
  });
});

describe("auditQuery", () => {
  it("sends only the filters that are set, times as UTC", () => {
    expect(auditQuery({ actor: "", action: "agent.paused", entity: "agent", from: "2026-03-01T10:00", to: "" })).toEqual({
      action: "agent.paused",
      target_type: "agent",
      from: "2026-03-01T10:00:00Z",
    });
  });
});

describe("verificationSentence", () => {
  const base = { entries_checked: 12, head_hash: "ab".repeat(32), first_bad_entry: null, signed_seq: null, reason: null };
  it("says a valid chain is intact and how much was checked", () => {
    expect(verificationSentence({ ...base, valid: true })).toBe("✓ The chain is intact: 12 entries checked.");
    expect(verificationSentence({ ...base, valid: true, entries_checked: 1, signed_seq: 1 })).toBe(
      "✓ The chain is intact: 1 entry checked; the signed head (entry 1) matches.",
    );
  });
  it("names the first bad entry and the reason of a broken chain", () => {
    expect(verificationSentence({ ...base, valid: false, first_bad_entry: 4, reason: "entry altered" })).toBe(
      "✕ The chain is broken at entry 4 (entry altered): 12 entries checked. Entries from there on cannot be trusted.",
    );
  });
});

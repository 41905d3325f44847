import { describe, expect, it } from "vitest";
import { reportFileName, reportJson, rotationText, tallyControls } from "./report";

describe("the compliance report", () => {
  it("counts the controls by status", () => {
    const controls = [
      { id: "a", title: "A", status: "pass" as const, evidence: [] },
      { id: "b", title: "B", status: "fail" as const, evidence: [] },
      { id: "c", title: "C", status: "pass" as const, evidence: [] },
      { id: "d", title: "D", status: "not_applicable" as const, evidence: [] },
    ];
    expect(tallyControls({ controls })).toEqual({ pass: 2, fail: 1, not_applicable: 1 });
  });

  it("says how old the credential is against the rotation policy", () => {
    expect(rotationText({ credentials_rotated_within_days: null, credentials_within_policy: false }, 90)).toBe("no active credential");
    expect(rotationText({ credentials_rotated_within_days: 1, credentials_within_policy: true }, 90)).toBe("1 day ago (within 90 days)");
    expect(rotationText({ credentials_rotated_within_days: 120, credentials_within_policy: false }, 90)).toBe("120 days ago (over the 90-day policy)");
  });

  it("names the download after the tenant and the report's time", () => {
    expect(reportFileName({ tenant_id: "ten_1", generated_at: "2026-03-01T10:30:05.123456Z" })).toBe("agentgate-compliance-ten_1-2026-03-01T103005Z.json");
  });

  it("downloads the report as the API sent it", () => {
    const report = {
      schema_version: "agentgate.compliance/1.0",
      generated_at: "2026-03-01T10:30:05Z",
      tenant_id: "ten_1",
      credential_rotation_policy_days: 90,
      agents: [],
      audit_chain: { valid: true, entries_checked: 3 },
      controls: [],
    };
    expect(JSON.parse(reportJson(report))).toEqual(report);
  });
});

/** Reading the compliance report (GET /api/v1/compliance/report) for people. */
import type { Schemas } from "../../api/client";

type Report = Schemas["ComplianceReport"];
type AgentCompliance = Schemas["AgentCompliance"];
type ControlStatus = Schemas["Control"]["status"];

export const STATUS_WORDS: Record<ControlStatus, string> = {
  pass: "pass",
  fail: "fail",
  not_applicable: "not applicable",
};

export interface ControlTally {
  pass: number;
  fail: number;
  not_applicable: number;
}

export function tallyControls(report: Pick<Report, "controls">): ControlTally {
  const tally: ControlTally = { pass: 0, fail: 0, not_applicable: 0 };
  for (const control of report.controls) tally[control.status] += 1;
  return tally;
}

/** The credential column: days since rotation against the tenant's policy, in words. */
export function rotationText(agent: Pick<AgentCompliance, "credentials_rotated_within_days" | "credentials_within_policy">, policyDays: number): string {
  const days = agent.credentials_rotated_within_days;
  if (days === null || days === undefined) return "no active credential";
  const age = days === 1 ? "1 day ago" : `${days} days ago`;
  return agent.credentials_within_policy ? `${age} (within ${policyDays} days)` : `${age} (over the ${policyDays}-day policy)`;
}

/** The file name the downloaded report gets: the tenant and the report's own time, never the clock's. */
export function reportFileName(report: Pick<Report, "tenant_id" | "generated_at">): string {
  const stamp = report.generated_at.replace(/[:]/g, "").replace(/\.\d+/, "");
  return `agentgate-compliance-${report.tenant_id}-${stamp}.json`;
}

export function reportJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

import type { Schemas } from "../../api/client";

export interface AuditFilters {
  actor: string;
  action: string;
  entity: string;
  from: string;
  to: string;
}

export const AUDIT_FILTER_KEYS = ["actor", "action", "entity", "from", "to"] as const;

/** A `datetime-local` value (read as UTC) to RFC 3339. */
export function localToIso(value: string): string | undefined {
  return value ? `${value.length === 16 ? `${value}:00` : value}Z` : undefined;
}

/**
 * The entity box takes one entity (`agent:agt_1`, the way entries name their target) or a kind of
 * entity (`agent`: every agent). The API has a parameter for each.
 */
export function entityQuery(entity: string): { target?: string; target_type?: string } {
  const value = entity.trim();
  if (!value) return {};
  if (value.includes(":")) return { target: value };
  return { target_type: value.toLowerCase() };
}

/** The filters as the query of GET /api/v1/audit (empty ones left out). */
export function auditQuery(filters: AuditFilters): {
  actor?: string;
  action?: string;
  target?: string;
  target_type?: string;
  from?: string;
  to?: string;
} {
  return {
    ...(filters.actor.trim() ? { actor: filters.actor.trim() } : {}),
    ...(filters.action.trim() ? { action: filters.action.trim() } : {}),
    ...entityQuery(filters.entity),
    ...(localToIso(filters.from) ? { from: localToIso(filters.from) } : {}),
    ...(localToIso(filters.to) ? { to: localToIso(filters.to) } : {}),
  };
}

export type Verification = Schemas["AuditVerification"];

/** The verification in one plain sentence: what was checked and what (if anything) is wrong. */
export function verificationSentence(v: Verification): string {
  const checked = `${v.entries_checked.toLocaleString("en-US")} ${v.entries_checked === 1 ? "entry" : "entries"} checked`;
  if (v.valid) {
    const signed = v.signed_seq != null ? `; the signed head (entry ${v.signed_seq}) matches` : "";
    return `✓ The chain is intact: ${checked}${signed}.`;
  }
  const where = v.first_bad_entry != null ? ` at entry ${v.first_bad_entry}` : "";
  const why = v.reason ? ` (${v.reason})` : "";
  return `✕ The chain is broken${where}${why}: ${checked}. Entries from there on cannot be trusted.`;
}

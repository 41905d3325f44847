/**
 * A trust policy's claims as editable rows, and the rules of API.md the API will apply: claims
 * match exactly, a `*` glob only on ref, sub, workflow_ref (and job_workflow_ref), and at least one
 * immutable id claim pinned exactly (repository_id or repository_owner_id for GitHub; for any other
 * issuer also sub, GitLab's project_id or namespace_id). Checking here saves a round trip; the API
 * checks again and its answer wins.
 */
import type { ErrorDetail } from "../../api/errors";

export const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
export const GLOB_CLAIMS = ["ref", "sub", "workflow_ref", "job_workflow_ref"] as const;
export const GITHUB_ID_CLAIMS = ["repository_id", "repository_owner_id"] as const;
export const OTHER_ID_CLAIMS = ["sub", ...GITHUB_ID_CLAIMS, "project_id", "namespace_id"] as const;
/** Names of a repository that can be taken over after a rename: never enough on their own. */
const NAME_CLAIMS = ["repository", "repository_owner", "project_path", "namespace_path"];

export interface ClaimRow {
  /** stable React key */
  key: number;
  name: string;
  value: string;
}

let nextKey = 0;
export function newRow(name = "", value = ""): ClaimRow {
  nextKey += 1;
  return { key: nextKey, name, value };
}

/** The issuer as the API stores it: a trailing slash after a path is dropped. */
function normalIssuer(issuer: string): string {
  const trimmed = issuer.trim();
  return trimmed.split("/").length > 3 ? trimmed.replace(/\/+$/, "") : trimmed;
}

export function pinnedClaims(issuer: string): readonly string[] {
  return normalIssuer(issuer) === GITHUB_ISSUER ? GITHUB_ID_CLAIMS : OTHER_ID_CLAIMS;
}

/** The rows as the request's `claims` object: names and values trimmed, blank rows dropped. */
export function rowsToClaims(rows: readonly ClaimRow[]): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const row of rows) {
    const name = row.name.trim();
    const value = row.value.trim();
    if (!name && !value) continue;
    claims[name] = value;
  }
  return claims;
}

/** A policy's claims as rows, pinned id claims first (the order a reader checks them). */
export function claimsToRows(claims: Record<string, string>, issuer = GITHUB_ISSUER): ClaimRow[] {
  const pins = pinnedClaims(issuer);
  const names = Object.keys(claims).sort((a, b) => {
    const pa = pins.includes(a) ? 0 : 1;
    const pb = pins.includes(b) ? 0 : 1;
    return pa - pb || a.localeCompare(b);
  });
  return names.map((name) => newRow(name, claims[name]));
}

export interface ClaimProblems {
  /** about the claims as a whole (the immutable-claim rule) */
  claims?: string;
  /** per row, by the row's key */
  rows: Record<number, string>;
}

/** What the API would refuse in these rows, on the row or on the claims as a whole. */
export function claimProblems(issuer: string, rows: readonly ClaimRow[]): ClaimProblems {
  const problems: ClaimProblems = { rows: {} };
  const seen = new Set<string>();
  for (const row of rows) {
    const name = row.name.trim();
    const value = row.value.trim();
    if (!name && !value) continue;
    if (!name) problems.rows[row.key] = "Name the claim.";
    else if (!/^[A-Za-z_][A-Za-z0-9_.:-]*$/.test(name)) problems.rows[row.key] = "A claim name is letters, digits, _ . : - and starts with a letter or _.";
    else if (seen.has(name)) problems.rows[row.key] = `${name} is named twice.`;
    else if (!value) problems.rows[row.key] = `Give ${name} a value.`;
    else if (value.includes("*") && !(GLOB_CLAIMS as readonly string[]).includes(name))
      problems.rows[row.key] = `A * glob is allowed only on ${GLOB_CLAIMS.join(", ")}; ${name} matches exactly.`;
    seen.add(name);
  }
  const claims = rowsToClaims(rows);
  const pins = pinnedClaims(issuer);
  const pinned = pins.some((name) => name in claims && claims[name] !== "" && !claims[name]!.includes("*"));
  if (!pinned) {
    problems.claims = NAME_CLAIMS.some((name) => name in claims)
      ? `A repository's name alone is not enough: pin one of ${pins.join(", ")}, which a deleted and re-created repository or a renamed owner does not inherit.`
      : `Pin at least one immutable id claim exactly (no glob): ${pins.join(", ")}.`;
  }
  return problems;
}

export function hasProblems(problems: ClaimProblems): boolean {
  return Boolean(problems.claims) || Object.keys(problems.rows).length > 0;
}

/**
 * The API's errors about claims placed where they belong: `claims.<name>` on that claim's row
 * (by its name), plain `claims` on the claims as a whole.
 */
export function apiClaimProblems(details: readonly ErrorDetail[], rows: readonly ClaimRow[]): ClaimProblems {
  const problems: ClaimProblems = { rows: {} };
  for (const detail of details) {
    const field = typeof detail.field === "string" ? detail.field : Array.isArray(detail.loc) ? detail.loc.join(".") : "";
    const parts = field.split(".").filter((p) => p !== "body");
    if (parts[0] !== "claims") continue;
    const message = String(detail.message ?? detail.msg ?? "Invalid value.");
    const row = parts.length > 1 ? rows.find((r) => r.name.trim() === parts[1]) : undefined;
    if (row) problems.rows[row.key] = message;
    else problems.claims = problems.claims ?? message;
  }
  return problems;
}

/** The request's scopes: the chosen ones the agent holds, sorted. */
export function grantableScopes(chosen: readonly string[], agentScopes: readonly string[]): string[] {
  return [...new Set(chosen.filter((s) => agentScopes.includes(s)))].sort();
}

/** The workflow that exchanges a job's ID token under this policy (docs/github-actions.md). */
export function workflowSnippet(apiUrl: string, audience: string, scopes: readonly string[]): string {
  const lines = [
    "permissions:",
    "  id-token: write   # lets the job request its OIDC ID token",
    "  contents: read",
    "jobs:",
    "  deploy:",
    "    runs-on: ubuntu-latest",
    "    steps:",
    "      - id: agentgate",
    "        uses: OWNER/agentgate/actions/issue-token@<commit-sha>   # pin a commit",
    "        with:",
    `          url: ${apiUrl}`,
    `          audience: ${audience || "agentgate"}`,
  ];
  if (scopes.length > 0) lines.push(`          scope: ${scopes.join(" ")}`);
  lines.push(
    "      - name: Report the job as a run",
    "        env:",
    "          AGENTGATE_TOKEN: ${{ steps.agentgate.outputs.access-token }}",
    "        run: |",
    `          curl -sf -X POST ${apiUrl}/api/v1/ingest/run \\`,
    "            -H \"Authorization: Bearer $AGENTGATE_TOKEN\" -H 'Content-Type: application/json' \\",
    "            -d \"{\\\"run_id\\\": \\\"job-${GITHUB_RUN_ID}-${GITHUB_RUN_ATTEMPT}\\\", \\\"status\\\": \\\"success\\\", \\\"start_time\\\": \\\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\\\"}\"",
  );
  return lines.join("\n");
}

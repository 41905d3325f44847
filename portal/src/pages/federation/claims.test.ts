import { describe, expect, it } from "vitest";
import {
  GITHUB_ISSUER,
  apiClaimProblems,
  claimProblems,
  claimsToRows,
  grantableScopes,
  hasProblems,
  newRow,
  pinnedClaims,
  rowsToClaims,
  workflowSnippet,
} from "./claims";

describe("claim rows and the request body", () => {
  it("turns rows into the claims object, trimmed, blank rows dropped", () => {
    const rows = [newRow(" repository_id ", " 123 "), newRow("", ""), newRow("ref", "refs/heads/main")];
    expect(rowsToClaims(rows)).toEqual({ repository_id: "123", ref: "refs/heads/main" });
  });

  it("turns a policy's claims back into rows, pinned ids first, and round-trips", () => {
    const claims = { ref: "refs/heads/*", environment: "production", repository_owner_id: "9", repository_id: "42" };
    const rows = claimsToRows(claims, GITHUB_ISSUER);
    expect(rows.map((r) => r.name)).toEqual(["repository_id", "repository_owner_id", "environment", "ref"]);
    expect(new Set(rows.map((r) => r.key)).size).toBe(4);
    expect(rowsToClaims(rows)).toEqual(claims);
  });

  it("keeps only the chosen scopes the agent holds, once each, sorted", () => {
    expect(grantableScopes(["runs:write", "admin", "agents:read", "runs:write"], ["agents:read", "runs:write"])).toEqual(["agents:read", "runs:write"]);
  });
});

describe("the immutable-claim rule", () => {
  it("asks GitHub policies for repository_id or repository_owner_id, other issuers also for sub", () => {
    expect(pinnedClaims(GITHUB_ISSUER)).toEqual(["repository_id", "repository_owner_id"]);
    expect(pinnedClaims(`${GITHUB_ISSUER}/`)).toEqual(["repository_id", "repository_owner_id"]);
    expect(pinnedClaims("https://gitlab.example.com")).toContain("sub");
  });

  it("refuses a GitHub policy pinning only the sub, which holds the repository's name", () => {
    const problems = claimProblems(GITHUB_ISSUER, [newRow("sub", "repo:octo/app:ref:refs/heads/main")]);
    expect(problems.claims).toMatch(/repository_id, repository_owner_id/);
    expect(hasProblems(problems)).toBe(true);
  });

  it("says why a repository's name is not enough", () => {
    expect(claimProblems(GITHUB_ISSUER, [newRow("repository", "octo/app")]).claims).toMatch(/name alone is not enough/);
  });

  it("does not count a pinned id given as a glob", () => {
    const problems = claimProblems(GITHUB_ISSUER, [newRow("repository_id", "12*")]);
    expect(problems.claims).toMatch(/Pin at least one immutable id/);
  });

  it("accepts a pinned repository id, and a sub for another issuer", () => {
    expect(hasProblems(claimProblems(GITHUB_ISSUER, [newRow("repository_id", "42"), newRow("ref", "refs/heads/*")]))).toBe(false);
    expect(hasProblems(claimProblems("https://gitlab.example.com", [newRow("sub", "project_path:g/p:ref_type:branch:ref:main")]))).toBe(false);
  });

  it("puts a glob on an exact-match claim, a missing value and a repeated name on their row", () => {
    const env = newRow("environment", "prod*");
    const blank = newRow("ref", "");
    const first = newRow("repository_id", "42");
    const again = newRow("repository_id", "43");
    const problems = claimProblems(GITHUB_ISSUER, [first, env, blank, again]);
    expect(problems.claims).toBeUndefined();
    expect(problems.rows[env.key]).toMatch(/only on ref, sub, workflow_ref/);
    expect(problems.rows[blank.key]).toBe("Give ref a value.");
    expect(problems.rows[again.key]).toBe("repository_id is named twice.");
    expect(problems.rows[first.key]).toBeUndefined();
  });
});

describe("the API's claim errors", () => {
  it("go to the row of the claim they name, or to the claims as a whole", () => {
    const id = newRow("repository_id", "octo");
    const ref = newRow("ref", "main");
    const problems = apiClaimProblems(
      [
        { field: "claims.repository_id", message: "an id is a number" },
        { field: "name", message: "Field required" },
        { field: "claims", message: "the policy must pin one of repository_id, repository_owner_id exactly (no glob)" },
      ],
      [id, ref],
    );
    expect(problems.rows).toEqual({ [id.key]: "an id is a number" });
    expect(problems.claims).toMatch(/must pin one of/);
  });

  it("reads pydantic locations too", () => {
    const row = newRow("bad name", "x");
    expect(apiClaimProblems([{ loc: ["body", "claims", "nope"], msg: "String should match pattern" }], [row]).claims).toBe("String should match pattern");
  });
});

describe("the GitHub Actions help", () => {
  it("names the API, the policy's audience and its scopes in the issue-token step", () => {
    const snippet = workflowSnippet("https://api.example", "ci-deploys", ["runs:write"]);
    expect(snippet).toContain("id-token: write");
    expect(snippet).toContain("url: https://api.example");
    expect(snippet).toContain("audience: ci-deploys");
    expect(snippet).toContain("scope: runs:write");
    expect(workflowSnippet("https://api.example", "", [])).not.toContain("scope:");
  });
});

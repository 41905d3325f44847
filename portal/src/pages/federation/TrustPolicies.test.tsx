import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Role } from "../../auth/AuthContext";

// The signed-in user's role is the test's; roleAtLeast stays the real one.
let role: Role = "admin";
vi.mock("../../auth/AuthContext", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../auth/AuthContext")>()),
  useAuth: () => ({ status: "signed-in", user: null, role, org: null, begin: () => undefined, signOut: async () => undefined }),
}));

// A fake API by path: the client takes fetch when it is created, so it is in place before the page loads.
const sent: Request[] = [];
let policiesStatus = 200;
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
  const request = input instanceof Request ? input : new Request(input, init);
  sent.push(request);
  const path = new URL(request.url).pathname;
  if (path === "/api/v1/agents") {
    return json({ items: [{ id: "agt_1", name: "deploy-bot", scopes: ["runs:write", "approvals:read"], tags: [], audiences: [] }], next_cursor: null });
  }
  if (path === "/api/v1/oidc/trust-policies" && request.method === "GET") {
    return policiesStatus === 200
      ? json({ items: [], next_cursor: null })
      : json({ error: { code: "forbidden", message: "Your role does not allow this.", details: [] } }, policiesStatus);
  }
  return json({ error: { code: "unexpected", message: `unexpected ${request.method} ${path}`, details: [] } }, 500);
});

let TrustPolicies: typeof import("./TrustPolicies").default;
beforeAll(async () => {
  ({ default: TrustPolicies } = await import("./TrustPolicies"));
});

describe("<TrustPolicies>", () => {
  afterEach(() => {
    cleanup();
    sent.length = 0;
    role = "admin";
    policiesStatus = 200;
  });

  it("tells a member whose read the API refuses that it is not allowed, with no form", async () => {
    role = "member";
    policiesStatus = 403;
    render(<TrustPolicies />);
    expect((await screen.findByText("⛔ Not allowed")).closest("[role=alert]")).toBeTruthy();
    expect(screen.queryByRole("form", { name: "Create a trust policy" })).toBeNull();
  });

  it("sends nothing while no immutable id claim is pinned, and says which to pin", async () => {
    render(<TrustPolicies />);
    await screen.findByText("No trust policies yet.");
    fireEvent.change(screen.getByLabelText("Policy name"), { target: { value: "deploys" } });
    fireEvent.change(screen.getByLabelText("Claim 1 name"), { target: { value: "repository" } });
    fireEvent.change(screen.getByLabelText("Claim 1 value"), { target: { value: "octo/app" } });
    fireEvent.change(await screen.findByRole("combobox", { name: "Agent" }), { target: { value: "agt_1" } });
    fireEvent.click(screen.getByRole("checkbox", { name: "runs:write" }));
    const before = sent.length;
    fireEvent.click(screen.getByRole("button", { name: "Create trust policy" }));
    expect((await screen.findByText(/name alone is not enough/)).id).toBe("claims-error");
    expect(sent.slice(before).filter((r) => r.method === "POST")).toEqual([]);
  });
});

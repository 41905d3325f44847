import { describe, expect, it } from "vitest";
import type { Agent } from "../api/client";
import { ApiError } from "../api/errors";
import { usd } from "../components/format";
import { matches } from "./agents/AgentList";
import { splitList } from "./agents/AgentForm";
import { safeNext } from "./auth/SignIn";
import { heatLevel } from "./costs/Analytics";
import { localToIso } from "./runs/RunList";

describe("page helpers", () => {
  it("only follows sign-in redirects inside the portal", () => {
    expect(safeNext("/app/runs?status=error")).toBe("/app/runs?status=error");
    expect(safeNext("//evil.example/x")).toBe("/app");
    expect(safeNext("https://evil.example")).toBe("/app");
    expect(safeNext(null)).toBe("/app");
  });

  it("searches agents by name, id, description and tag, case-insensitively", () => {
    const agent = { id: "agt_1", name: "Support Triage", description: "Routes tickets", tags: ["billing"] } as Agent;
    expect(["support", "AGT_1", "tickets", "bill", ""].map((q) => matches(agent, q))).toEqual([true, true, true, true, true]);
    expect(matches(agent, "payments")).toBe(false);
  });

  it("splits tag and scope lists on commas and spaces", () => {
    expect(splitList(" a, b  c,,d ")).toEqual(["a", "b", "c", "d"]);
    expect(splitList("")).toEqual([]);
  });

  it("reads datetime-local values as UTC", () => {
    expect(localToIso("2026-03-01T10:30")).toBe("2026-03-01T10:30:00Z");
    expect(localToIso("")).toBeUndefined();
  });

  it("shades the heatmap in five steps", () => {
    expect([0, 1, 25, 50, 99, 100].map((v) => heatLevel(v, 100))).toEqual([0, 1, 1, 2, 4, 4]);
    expect(heatLevel(3, 0)).toBe(0);
  });

  it("shows sub-cent costs with their digits and money as dollars", () => {
    expect(usd("0.00039")).toBe("$0.00039");
    expect(usd("1234.5")).toBe("$1,234.50");
    expect(usd(null)).toBe("—");
  });

  it("names the first field of a nested validation error", () => {
    const error = new ApiError(400, "validation_error", "bad", [{ field: "scopes.2", message: "String should match pattern" }, { field: "name", message: "Field required" }]);
    expect(error.fieldErrors()).toEqual({ scopes: "String should match pattern", name: "Field required" });
  });
});

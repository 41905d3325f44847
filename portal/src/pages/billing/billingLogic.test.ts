import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/errors";
import { billingNotConfigured, checkoutOutcome, nextPollDelay, upgradeApplied, upgradesFrom, usageBars, type Usage } from "./billingLogic";

const usage: Usage = {
  tier: "free",
  period: { start: "2026-03-01T00:00:00Z", end: "2026-03-02T00:00:00Z" },
  api_calls: { used: 850, quota: 1000 },
  token_issuances: { used: 3 },
  runs: { used: 7 },
  agents: { used: 3, limit: 3 },
  retention_days: 7,
};

const tier = (name: string, price: string) => ({
  name,
  agent_limit: 1,
  rate_per_second: 1,
  burst: 1,
  daily_quota: 1,
  retention_days: 1,
  price_usd_month: price,
});

describe("usageBars", () => {
  it("measures each limit and says where it stands", () => {
    const [calls, agents, runs] = usageBars(usage);
    expect(calls).toMatchObject({ used: 850, limit: 1000, percent: 85, tone: "near" });
    expect(calls!.note).toBe("850 of 1,000 calls today (near the limit)");
    expect(agents).toMatchObject({ percent: 100, tone: "over", note: "3 of 3 agents (limit reached)" });
    expect(runs).toMatchObject({ used: 7, limit: null, percent: null, tone: "ok" });
  });
  it("caps the bar at 100 % when usage passed the limit", () => {
    expect(usageBars({ ...usage, api_calls: { used: 1500, quota: 1000 } })[0]!.percent).toBe(100);
  });
});

describe("upgradesFrom", () => {
  const tiers = [tier("enterprise", "499.00"), tier("free", "0.00"), tier("pro", "49.00")];
  it("offers the paid tiers above the current one", () => {
    expect(upgradesFrom("free", tiers).map((t) => t.name)).toEqual(["pro", "enterprise"]);
    expect(upgradesFrom("pro", tiers).map((t) => t.name)).toEqual(["enterprise"]);
    expect(upgradesFrom("enterprise", tiers)).toEqual([]);
  });
});

describe("checkout return and polling", () => {
  it("reads the outcome Stripe returns with", () => {
    expect(checkoutOutcome(new URLSearchParams("checkout=success&session_id=cs_1"))).toBe("success");
    expect(checkoutOutcome(new URLSearchParams("checkout=canceled"))).toBe("canceled");
    expect(checkoutOutcome(new URLSearchParams("checkout=other"))).toBeNull();
  });
  it("backs off 1 s, ×1.5, up to 5 s", () => {
    expect(nextPollDelay(null)).toBe(1000);
    expect(nextPollDelay(1000)).toBe(1500);
    expect(nextPollDelay(4000)).toBe(5000);
  });
  it("sees the upgrade once the tier moved and is paid", () => {
    expect(upgradeApplied({ tier: "pro", status: "active", cancel_at_period_end: false })).toBe(true);
    expect(upgradeApplied({ tier: "free", status: "none", cancel_at_period_end: false })).toBe(false);
    expect(upgradeApplied({ tier: "free", status: "canceled", cancel_at_period_end: false })).toBe(false);
  });
});

describe("billingNotConfigured", () => {
  it("recognises the API's answer without Stripe keys", () => {
    expect(billingNotConfigured(new ApiError(503, "dependency_unavailable", "Billing is not configured: no Stripe API key."))).toBe(true);
    expect(billingNotConfigured(new ApiError(503, "billing_unavailable", "Billing is not configured: no Stripe price for the pro tier."))).toBe(true);
    expect(billingNotConfigured(new ApiError(503, "billing_unavailable", "Stripe is unreachable; retry shortly."))).toBe(false);
    expect(billingNotConfigured(new ApiError(409, "not_an_upgrade", "not configured"))).toBe(false);
  });
});

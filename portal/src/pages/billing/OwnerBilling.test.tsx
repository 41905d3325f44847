import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Tier } from "../../api/client";
import type { Subscription } from "./billingLogic";

// The API client takes fetch when it is created: the fake API must be in place before it loads.
const answers: Response[] = [];
const sent: Request[] = [];
vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
  sent.push(input instanceof Request ? input : new Request(input, init));
  return answers.shift() ?? new Response("{}", { status: 500 });
});
let OwnerBilling: typeof import("./Billing").OwnerBilling;
beforeAll(async () => {
  ({ OwnerBilling } = await import("./Billing"));
});

const tiers: Tier[] = [
  { name: "free", agent_limit: 3, rate_per_second: 5, burst: 10, daily_quota: 1000, retention_days: 7, price_usd_month: "0.00" },
  { name: "pro", agent_limit: 100, rate_per_second: 50, burst: 100, daily_quota: 10000, retention_days: 90, price_usd_month: "49.00" },
];
const free: Subscription = { tier: "free", status: "none", cancel_at_period_end: false };

describe("<OwnerBilling>", () => {
  afterEach(() => {
    cleanup();
    sent.length = 0;
  });

  it("warns of a failed payment while the tier stays on", () => {
    render(<OwnerBilling sub={{ tier: "pro", status: "past_due", cancel_at_period_end: false, stripe_customer_id: "cus_1", stripe_subscription_id: "sub_1" }} tiers={tiers} />);
    expect(screen.getByRole("alert").textContent).toContain("The last payment failed.");
    expect(screen.getByRole("button", { name: "Open the customer portal" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: /^Upgrade to/ })).toBeNull();
  });

  it("says billing is not configured when the API answers so, instead of an error", async () => {
    answers.push(
      new Response(JSON.stringify({ error: { code: "billing_unavailable", message: "Billing is not configured: no Stripe price for the pro tier.", details: [] } }), {
        status: 503,
        headers: { "Content-Type": "application/json" },
      }),
    );
    render(<OwnerBilling sub={free} tiers={tiers} />);
    expect(screen.queryByRole("alert")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Upgrade to pro" }));
    fireEvent.click(screen.getByRole("button", { name: "Go to payment", hidden: true }));
    expect((await screen.findByTestId("billing-not-configured")).textContent).toContain("Billing is not configured on this deployment");
    expect(sent[0]!.method).toBe("POST");
    expect(new URL(sent[0]!.url).pathname).toBe("/api/v1/billing/checkout");
    expect(await sent[0]!.json()).toEqual({ tier: "pro" });
    expect(document.querySelector(".form-error")).toBeNull();
  });
});

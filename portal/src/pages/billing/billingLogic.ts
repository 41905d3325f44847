import { ApiError } from "../../api/errors";
import type { Schemas, Tier } from "../../api/client";

export type Usage = Schemas["TierUsage"];
export type Subscription = Schemas["Subscription"];

export interface UsageBar {
  label: string;
  used: number;
  /** null: the tier sets no limit on this. */
  limit: number | null;
  /** Share of the limit used, 0..100 (capped), null without a limit. */
  percent: number | null;
  tone: "ok" | "near" | "over";
  note: string;
}

function bar(label: string, used: number, limit: number | null, per: string): UsageBar {
  if (limit === null || limit <= 0) {
    return { label, used, limit: null, percent: null, tone: "ok", note: `${used.toLocaleString("en-US")} ${per}; the tier sets no limit` };
  }
  const share = (used / limit) * 100;
  const tone = used >= limit ? "over" : share >= 80 ? "near" : "ok";
  const state = tone === "over" ? "limit reached" : tone === "near" ? "near the limit" : "within the limit";
  return {
    label,
    used,
    limit,
    percent: Math.min(100, Math.round(share * 10) / 10),
    tone,
    note: `${used.toLocaleString("en-US")} of ${limit.toLocaleString("en-US")} ${per} (${state})`,
  };
}

/** Usage against the tier's limits, one bar per limit (runs have a count but no limit). */
export function usageBars(usage: Usage): UsageBar[] {
  return [
    bar("API calls today", usage.api_calls.used, usage.api_calls.quota, "calls today"),
    bar("Agents", usage.agents.used, usage.agents.limit, "agents"),
    bar("Runs today", usage.runs.used, null, "runs today"),
  ];
}

/** The paid tiers above the current one, cheapest first (checkout is upgrade only). */
export function upgradesFrom(current: string, tiers: Tier[]): Tier[] {
  const order = [...tiers].sort((a, b) => Number(a.price_usd_month) - Number(b.price_usd_month));
  const at = order.findIndex((t) => t.name === current);
  return order.slice(at + 1).filter((t) => t.name === "pro" || t.name === "enterprise");
}

/** Where Stripe's checkout sent the person back: `?checkout=success|canceled`. */
export function checkoutOutcome(search: URLSearchParams): "success" | "canceled" | null {
  const value = search.get("checkout");
  return value === "success" || value === "canceled" ? value : null;
}

/** The API answers 503 `billing_unavailable` ("Billing is not configured: ...") without Stripe keys or prices. */
export function billingNotConfigured(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    error.status === 503 &&
    (error.code === "billing_unavailable" || error.code === "dependency_unavailable") &&
    /not configured/i.test(error.message)
  );
}

/** After a paid checkout, Stripe's event moves the tier: poll 1 s, ×1.5 per miss, capped at 5 s. */
export function nextPollDelay(previousMs: number | null): number {
  return previousMs === null ? 1000 : Math.min(5000, Math.round(previousMs * 1.5));
}

/** Whether the subscription shows the upgrade applied (a tier other than free, and paid for). */
export function upgradeApplied(sub: Subscription): boolean {
  return sub.tier !== "free" && (sub.status === "active" || sub.status === "past_due");
}

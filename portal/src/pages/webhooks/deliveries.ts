import type { Schemas } from "../../api/client";

type Delivery = Schemas["WebhookDelivery"];
type Attempt = Schemas["DeliveryAttempt"];

/** The event types a subscription may take (the API's enum, in the order people read them). */
export const EVENT_TYPES: Schemas["WebhookCreate"]["events"] = [
  "agent.paused",
  "agent.resumed",
  "budget.threshold_crossed",
  "approval.requested",
  "approval.escalated",
  "approval.decided",
  "emergency.paused",
  "emergency.resumed",
  "tenant.tier_changed",
  "webhook.test",
];

/** How long a wait is, in words: 30 s, 2 min, 1 h 5 min. */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return m ? `${h} h ${m} min` : `${h} h`;
}

/** One attempt: the receiver's status code (or why there was none) and how long it took. */
export function attemptOutcome(a: Attempt): string {
  const answer = a.status_code != null ? `HTTP ${a.status_code}` : "no answer";
  const why = a.error ? ` (${a.error})` : "";
  return `${answer}${why}, ${a.duration_ms} ms`;
}

/** When the next attempt goes out: only a delivery still retrying has one. */
export function nextRetry(d: Delivery): string {
  if (d.status === "delivered") return "— delivered";
  if (d.status === "failed") return "— gave up";
  const last = d.attempts[d.attempts.length - 1];
  if (!last || last.next_retry_in_seconds == null) return d.status === "pending" ? "first attempt queued" : "—";
  const at = new Date(new Date(last.at).getTime() + last.next_retry_in_seconds * 1000);
  const clock = Number.isNaN(at.getTime()) ? "" : ` (${at.toISOString().slice(11, 19)} UTC)`;
  return `in ${duration(last.next_retry_in_seconds)} after attempt ${last.attempt}${clock}`;
}

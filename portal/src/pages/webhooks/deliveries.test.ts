import { describe, expect, it } from "vitest";
import { attemptOutcome, duration, nextRetry } from "./deliveries";

const delivery = (status: "pending" | "retrying" | "delivered" | "failed", attempts: object[]) =>
  ({ id: "dlv_1", webhook_id: "wh_1", event_id: "evt_1", event_type: "webhook.test", status, attempts, created_at: "2026-03-01T10:00:00Z" }) as never;

describe("attempts", () => {
  it("reads a wait in words", () => {
    expect(duration(30)).toBe("30 s");
    expect(duration(120)).toBe("2 min");
    expect(duration(3900)).toBe("1 h 5 min");
    expect(duration(21600)).toBe("6 h");
  });
  it("names the status code or why there was none", () => {
    expect(attemptOutcome({ attempt: 1, at: "2026-03-01T10:00:00Z", status_code: 503, duration_ms: 40 })).toBe("HTTP 503, 40 ms");
    expect(attemptOutcome({ attempt: 2, at: "2026-03-01T10:00:00Z", status_code: null, error: "timed out", duration_ms: 10000 })).toBe(
      "no answer (timed out), 10000 ms",
    );
  });
  it("gives the next retry of a retrying delivery from its last attempt", () => {
    const retrying = delivery("retrying", [
      { attempt: 1, at: "2026-03-01T10:00:00Z", status_code: 500, duration_ms: 5, next_retry_in_seconds: 30 },
      { attempt: 2, at: "2026-03-01T10:00:30Z", status_code: 500, duration_ms: 5, next_retry_in_seconds: 60 },
    ]);
    expect(nextRetry(retrying)).toBe("in 1 min after attempt 2 (10:01:30 UTC)");
    expect(nextRetry(delivery("delivered", []))).toBe("— delivered");
    expect(nextRetry(delivery("failed", []))).toBe("— gave up");
    expect(nextRetry(delivery("pending", []))).toBe("first attempt queued");
  });
});

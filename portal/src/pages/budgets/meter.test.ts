import { describe, expect, it } from "vitest";
import { meter, pausedBy, percent } from "./meter";

const budget = { max_amount_usd: "10.00", current_spend_usd: "2.50", reserved_usd: "1.00", threshold_alert_percent: 80, auto_pause_at_percent: 100 };

describe("a budget's bar", () => {
  it("places spend, reserved and the marks against the maximum", () => {
    const m = meter(budget);
    expect([m.spentWidth, m.reservedWidth, m.alertAt, m.pauseAt, m.state]).toEqual([25, 10, 80, 100, "ok"]);
  });

  it("widens its scale when auto-pause is above 100 %", () => {
    const m = meter({ ...budget, auto_pause_at_percent: 200, current_spend_usd: "10.00" });
    expect([m.scale, m.spentWidth, m.pauseAt, m.state]).toEqual([200, 50, 100, "over"]);
  });

  it("never draws past its end", () => {
    const m = meter({ ...budget, current_spend_usd: "50", reserved_usd: "5" });
    expect(m.spentWidth + m.reservedWidth).toBe(100);
    expect(m.spentPercent).toBe(500);
  });

  it("turns to alert at the threshold", () => {
    expect(meter({ ...budget, current_spend_usd: "8.00" }).state).toBe("alert");
  });

  it("formats small percentages with a decimal", () => {
    expect([percent(0.42), percent(37.4), percent(1250)]).toEqual(["0.4 %", "37 %", "1,250 %"]);
  });

  it("finds the agents a budget paused from their reason", () => {
    const agents = [
      { id: "a", status: "paused", paused_reason: "budget bud_1 reached 100% (0.02 of 0.01 USD)" },
      { id: "b", status: "paused", paused_reason: "budget bud_10 reached 100% (1 of 1 USD)" },
      { id: "c", status: "active", paused_reason: null },
      { id: "d", status: "paused", paused_reason: "emergency pause" },
    ];
    expect(pausedBy("bud_1", agents).map((a) => a.id)).toEqual(["a"]);
  });
});

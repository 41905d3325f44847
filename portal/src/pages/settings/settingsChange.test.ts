import { describe, expect, it } from "vitest";
import { settingsChange } from "./settingsChange";

describe("settingsChange", () => {
  const current = { default_decision: "deny" as const, four_eyes: false };
  it("sends only what changed", () => {
    expect(settingsChange(current, { ...current, four_eyes: true })).toEqual({ changed: true, needsConfirmation: false, body: { four_eyes: true } });
    expect(settingsChange(current, current)).toEqual({ changed: false, needsConfirmation: false, body: {} });
  });
  it("asks for confirmation before allowing what no policy covers, not before tightening", () => {
    expect(settingsChange(current, { ...current, default_decision: "allow" }).needsConfirmation).toBe(true);
    expect(settingsChange({ ...current, default_decision: "allow" }, current)).toMatchObject({ needsConfirmation: false, body: { default_decision: "deny" } });
  });
});

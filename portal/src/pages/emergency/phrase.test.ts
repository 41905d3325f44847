import { describe, expect, it } from "vitest";
import { confirmationPhrase } from "./phrase";

describe("the kill switch's typed confirmation", () => {
  it("names what happens", () => {
    expect(confirmationPhrase("pause", "tenant", "ignored")).toBe("pause everything");
    expect(confirmationPhrase("pause", "team", " payments ")).toBe("pause team payments");
    expect(confirmationPhrase("resume", "tag", "prod")).toBe("resume tag prod");
  });

  it("shows a placeholder until the name is given", () => {
    expect(confirmationPhrase("pause", "team", "")).toBe("pause team <team>");
  });
});

import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RunEvent } from "../../api/client";
import { Timeline } from "./Timeline";

const events: RunEvent[] = [
  { event_id: "b", seq: 1, type: "tool.call", timestamp: "2026-01-01T00:00:00.500Z", payload: { tool: "search" } },
  { event_id: "a", seq: 0, type: "run.started", timestamp: "2026-01-01T00:00:00Z", payload: { task: "t" } },
  { event_id: "c", seq: 2, type: "run.finished", timestamp: "2026-01-01T00:00:01Z", payload: null },
];

describe("<Timeline>", () => {
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it("shows the first event and steps through the rest with their payloads", () => {
    render(<Timeline events={events} start="2026-01-01T00:00:00Z" end="2026-01-01T00:00:01Z" />);
    expect(screen.getByText("Event 1 of 3")).toBeTruthy();
    expect(screen.getByLabelText("Event payload").textContent).toContain('"task": "t"');
    fireEvent.click(screen.getByRole("button", { name: "Next ▶" }));
    expect(screen.getByText("Event 2 of 3")).toBeTruthy();
    expect(screen.getByLabelText("Event payload").textContent).toContain('"tool": "search"');
    fireEvent.click(screen.getByRole("button", { name: "run.finished at +1.00 s" }));
    expect(screen.getByLabelText("Event payload").textContent).toBe("(no payload)");
    expect((screen.getByRole("button", { name: "Next ▶" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("plays to the end on its own and stops there", async () => {
    vi.useFakeTimers();
    render(<Timeline events={events} start={null} end={null} />);
    fireEvent.click(screen.getByRole("button", { name: "▶ Play" }));
    expect(screen.getByRole("button", { name: "❚❚ Pause" })).toBeTruthy();
    for (let i = 0; i < 5; i += 1) {
      await act(async () => {
        await vi.advanceTimersByTimeAsync(2000); // the longest dwell on one event
      });
    }
    expect(screen.getByText("Event 3 of 3")).toBeTruthy();
    expect(screen.getByRole("button", { name: "▶ Play" })).toBeTruthy();
  });

  it("says so when a run has no events", () => {
    render(<Timeline events={[]} />);
    expect(screen.getByText("This run reported no events.")).toBeTruthy();
  });
});

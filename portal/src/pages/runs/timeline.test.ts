import { describe, expect, it } from "vitest";
import type { RunEvent } from "../../api/client";
import { dwellMs, placeEvents, replayReducer } from "./timeline";

const ev = (seq: number, at: string, type = `e${seq}`): RunEvent => ({ event_id: `id${seq}`, seq, type, timestamp: at, payload: { seq } });

describe("placeEvents", () => {
  it("orders by sequence and places events between the run's start and end", () => {
    const placed = placeEvents(
      [ev(2, "2026-01-01T00:00:01Z"), ev(0, "2026-01-01T00:00:00Z"), ev(1, "2026-01-01T00:00:00.500Z")],
      "2026-01-01T00:00:00Z",
      "2026-01-01T00:00:02Z",
    );
    expect(placed.map((p) => p.event.seq)).toEqual([0, 1, 2]);
    expect(placed.map((p) => p.offsetMs)).toEqual([0, 500, 1000]);
    expect(placed.map((p) => p.position)).toEqual([0, 0.25, 0.5]);
  });

  it("starts the axis at the earliest of the run's start and its first event", () => {
    const placed = placeEvents([ev(0, "2026-01-01T00:00:01Z"), ev(1, "2026-01-01T00:00:03Z")], "2026-01-01T00:00:02Z", null);
    expect(placed.map((p) => p.offsetMs)).toEqual([0, 2000]);
    expect(placed.at(-1)!.position).toBe(1);
  });

  it("spreads events evenly when they share one instant", () => {
    const at = "2026-01-01T00:00:00Z";
    expect(placeEvents([ev(0, at), ev(1, at), ev(2, at)]).map((p) => p.position)).toEqual([0, 0.5, 1]);
    expect(placeEvents([ev(0, at)]).map((p) => p.position)).toEqual([0]);
    expect(placeEvents([])).toEqual([]);
  });
});

describe("replay", () => {
  const reduce = replayReducer(3);

  it("steps forward and back within the events", () => {
    let s = { index: 0, playing: false };
    s = reduce(s, { type: "previous" });
    expect(s.index).toBe(0);
    s = reduce(reduce(reduce(s, { type: "next" }), { type: "next" }), { type: "next" });
    expect(s.index).toBe(2);
    expect(reduce(s, { type: "seek", index: 9 }).index).toBe(2);
    expect(reduce(s, { type: "seek", index: 1 }).index).toBe(1);
  });

  it("plays one event per tick and stops at the last", () => {
    let s = reduce({ index: 0, playing: false }, { type: "play" });
    expect(s).toEqual({ index: 0, playing: true });
    s = reduce(s, { type: "tick" });
    s = reduce(s, { type: "tick" });
    expect(s).toEqual({ index: 2, playing: true });
    s = reduce(s, { type: "tick" });
    expect(s).toEqual({ index: 2, playing: false });
    expect(reduce(s, { type: "tick" })).toEqual(s); // paused: ticks change nothing
  });

  it("starts over when played from the end, and pauses on request", () => {
    const s = reduce({ index: 2, playing: false }, { type: "play" });
    expect(s).toEqual({ index: 0, playing: true });
    expect(reduce(s, { type: "pause" }).playing).toBe(false);
    expect(replayReducer(0)({ index: -1, playing: false }, { type: "play" }).playing).toBe(false);
  });

  it("dwells on an event for its real gap to the next, within bounds", () => {
    const placed = placeEvents([ev(0, "2026-01-01T00:00:00Z"), ev(1, "2026-01-01T00:00:00.100Z"), ev(2, "2026-01-01T00:00:01.100Z"), ev(3, "2026-01-01T00:01:00Z")]);
    expect([0, 1, 2, 3].map((i) => dwellMs(placed, i))).toEqual([400, 1000, 2000, 800]);
  });
});

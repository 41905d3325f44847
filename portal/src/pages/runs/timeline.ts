/** The forensic timeline's logic: events placed on a time axis, and a replay cursor over them. */
import type { RunEvent } from "../../api/client";

export interface PlacedEvent {
  event: RunEvent;
  /** Milliseconds since the axis origin (the run's start, or the first event). */
  offsetMs: number;
  /** 0..1 along the axis. */
  position: number;
}

/** Events in order (by seq, then timestamp) placed between the run's start and its last moment. */
export function placeEvents(events: RunEvent[], runStart?: string | null, runEnd?: string | null): PlacedEvent[] {
  const ordered = [...events].sort((a, b) => a.seq - b.seq || Date.parse(a.timestamp) - Date.parse(b.timestamp));
  const times = ordered.map((e) => Date.parse(e.timestamp));
  const startCandidates = [...times, runStart ? Date.parse(runStart) : NaN].filter(Number.isFinite);
  const endCandidates = [...times, runEnd ? Date.parse(runEnd) : NaN].filter(Number.isFinite);
  if (startCandidates.length === 0) return [];
  const origin = Math.min(...startCandidates);
  const span = Math.max(...endCandidates) - origin;
  return ordered.map((event, i) => {
    const offsetMs = (times[i] ?? origin) - origin;
    return { event, offsetMs, position: span > 0 ? offsetMs / span : ordered.length > 1 ? i / (ordered.length - 1) : 0 };
  });
}

export interface Replay {
  /** The current event's index; -1 before the first. */
  index: number;
  playing: boolean;
}

export type ReplayAction = { type: "next" } | { type: "previous" } | { type: "play" } | { type: "pause" } | { type: "seek"; index: number } | { type: "tick" };

export function replayReducer(count: number) {
  return (state: Replay, action: ReplayAction): Replay => {
    const last = count - 1;
    switch (action.type) {
      case "next":
        return { ...state, index: Math.min(state.index + 1, last) };
      case "previous":
        return { ...state, index: Math.max(state.index - 1, 0) };
      case "seek":
        return { ...state, index: Math.max(0, Math.min(action.index, last)) };
      case "play":
        // Playing from the end starts over.
        return count === 0 ? state : { playing: true, index: state.index >= last ? 0 : Math.max(state.index, 0) };
      case "pause":
        return { ...state, playing: false };
      case "tick":
        if (!state.playing) return state;
        return state.index >= last ? { ...state, playing: false } : { ...state, index: state.index + 1 };
    }
  };
}

/** How long playback dwells on an event: its real gap to the next one, squeezed into 0.4–2 s. */
export function dwellMs(placed: PlacedEvent[], index: number): number {
  const here = placed[index];
  const next = placed[index + 1];
  if (!here || !next) return 800;
  return Math.min(2000, Math.max(400, next.offsetMs - here.offsetMs));
}

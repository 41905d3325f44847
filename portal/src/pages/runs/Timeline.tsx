import { useEffect, useMemo, useReducer } from "react";
import type { RunEvent } from "../../api/client";
import { json } from "../../components/format";
import { dwellMs, placeEvents, replayReducer } from "./timeline";

function offset(msValue: number): string {
  return msValue < 1000 ? `+${msValue} ms` : `+${(msValue / 1000).toFixed(2)} s`;
}

/** Events on a time axis; step through them (previous, next, play) with each one's payload. */
export function Timeline({ events, start, end }: { events: RunEvent[]; start?: string | null; end?: string | null }) {
  const placed = useMemo(() => placeEvents(events, start, end), [events, start, end]);
  const [replay, dispatch] = useReducer(replayReducer(placed.length), { index: placed.length ? 0 : -1, playing: false });

  useEffect(() => {
    if (!replay.playing) return;
    const timer = setTimeout(() => dispatch({ type: "tick" }), dwellMs(placed, replay.index));
    return () => clearTimeout(timer);
  }, [replay, placed]);

  if (placed.length === 0) return <p className="muted">This run reported no events.</p>;
  const current = placed[replay.index];
  return (
    <div className="timeline">
      <div className="timeline-controls" role="group" aria-label="Replay">
        <button type="button" onClick={() => dispatch({ type: "previous" })} disabled={replay.index <= 0}>
          ◀ Previous
        </button>
        {replay.playing ? (
          <button type="button" onClick={() => dispatch({ type: "pause" })}>
            ❚❚ Pause
          </button>
        ) : (
          <button type="button" onClick={() => dispatch({ type: "play" })}>
            ▶ Play
          </button>
        )}
        <button type="button" onClick={() => dispatch({ type: "next" })} disabled={replay.index >= placed.length - 1}>
          Next ▶
        </button>
        <span aria-live="polite" data-testid="replay-position">
          Event {replay.index + 1} of {placed.length}
        </span>
      </div>
      <ol className="timeline-axis" aria-label="Events on a time axis">
        {placed.map((p, i) => (
          <li key={p.event.event_id} style={{ left: `${(p.position * 100).toFixed(2)}%` }}>
            <button
              type="button"
              className={i === replay.index ? "tick current" : i < replay.index ? "tick seen" : "tick"}
              aria-current={i === replay.index ? "step" : undefined}
              aria-label={`${p.event.type} at ${offset(p.offsetMs)}`}
              onClick={() => dispatch({ type: "seek", index: i })}
            />
          </li>
        ))}
      </ol>
      <ol className="timeline-list">
        {placed.map((p, i) => (
          <li key={p.event.event_id} className={i === replay.index ? "current" : ""} aria-current={i === replay.index ? "step" : undefined}>
            <span className="mono">{offset(p.offsetMs)}</span> <strong>{p.event.type}</strong>{" "}
            <span className="muted">#{p.event.seq}</span>
            {i === replay.index && <span className="visually-hidden"> (current)</span>}
          </li>
        ))}
      </ol>
      {current && (
        <section className="timeline-current" aria-labelledby="current-event" data-testid="current-event">
          <h3 id="current-event">
            {current.event.type} <span className="muted">{offset(current.offsetMs)} · {current.event.timestamp}</span>
          </h3>
          <pre tabIndex={0} aria-label="Event payload">
            {current.event.payload == null ? "(no payload)" : json(current.event.payload)}
          </pre>
        </section>
      )}
    </div>
  );
}

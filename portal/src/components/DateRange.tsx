import { isoDay } from "./format";

export interface Range {
  from: string;
  to: string;
}

export function lastDays(days: number): Range {
  return { from: isoDay(days - 1), to: isoDay(0) };
}

/** A date range (UTC days) with presets; the API defaults to the last 30 days. */
export function DateRange({ value, onChange }: { value: Range; onChange: (r: Range) => void }) {
  return (
    <fieldset className="date-range">
      <legend>Date range (UTC)</legend>
      {[7, 30, 90].map((d) => (
        <button key={d} type="button" onClick={() => onChange(lastDays(d))} aria-pressed={value.from === lastDays(d).from && value.to === isoDay(0)}>
          Last {d} days
        </button>
      ))}
      <label htmlFor="range-from">From</label>
      <input id="range-from" type="date" value={value.from} max={value.to} onChange={(e) => e.target.value && onChange({ ...value, from: e.target.value })} />
      <label htmlFor="range-to">To</label>
      <input id="range-to" type="date" value={value.to} min={value.from} onChange={(e) => e.target.value && onChange({ ...value, to: e.target.value })} />
    </fieldset>
  );
}

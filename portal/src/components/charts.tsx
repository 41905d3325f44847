import { useState } from "react";
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis, BarChart } from "recharts";

export interface DayPoint {
  date: string;
  [series: string]: string | number;
}

export interface Series {
  key: string;
  label: string;
  kind: "bar" | "line";
  axis?: "left" | "right";
  format?: (v: number) => string;
}

const COLOURS = ["#2557d6", "#c2410c", "#15803d", "#7c3aed"];

/**
 * A daily chart with a table twin: the table is what screen readers and keyboard users get (the
 * chart itself is hidden from them and out of the tab order),
 * and a toggle shows it to everyone. Series differ by shape (bars, a dashed line), not only colour.
 */
export function DailyChart({ title, data, series }: { title: string; data: DayPoint[]; series: Series[] }) {
  const [asTable, setAsTable] = useState(false);
  const id = title.replace(/\W+/g, "-").toLowerCase();
  const hasRight = series.some((s) => s.axis === "right");
  return (
    <figure className="chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>
        {title}
        <button type="button" className="link" onClick={() => setAsTable((v) => !v)} aria-pressed={asTable}>
          {asTable ? "Show chart" : "Show as table"}
        </button>
      </figcaption>
      {asTable ? (
        <DailyTable data={data} series={series} title={title} />
      ) : (
        <div className="chart-area" data-testid={`chart-${id}`} aria-hidden="true">
          <ResponsiveContainer width="100%" height={260}>
            <ComposedChart accessibilityLayer={false} data={data} margin={{ top: 8, right: 16, left: 8, bottom: 8 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="date" fontSize={12} />
              <YAxis yAxisId="left" fontSize={12} allowDecimals={false} />
              {hasRight && <YAxis yAxisId="right" orientation="right" fontSize={12} />}
              <Tooltip />
              <Legend />
              {series.map((s, i) =>
                s.kind === "bar" ? (
                  <Bar key={s.key} dataKey={s.key} name={s.label} yAxisId={s.axis ?? "left"} fill={COLOURS[i % COLOURS.length]} isAnimationActive={false} />
                ) : (
                  <Line key={s.key} dataKey={s.key} name={s.label} yAxisId={s.axis ?? "left"} stroke={COLOURS[i % COLOURS.length]} strokeWidth={2} strokeDasharray="6 3" dot={{ r: 3 }} isAnimationActive={false} />
                ),
              )}
            </ComposedChart>
          </ResponsiveContainer>
        </div>
      )}
      {!asTable && <DailyTable data={data} series={series} title={title} hidden />}
    </figure>
  );
}

function DailyTable({ data, series, title, hidden = false }: { data: DayPoint[]; series: Series[]; title: string; hidden?: boolean }) {
  return (
    <table className={hidden ? "visually-hidden" : "data"}>
      <caption className="visually-hidden">{title}</caption>
      <thead>
        <tr>
          <th scope="col">Date</th>
          {series.map((s) => (
            <th key={s.key} scope="col">
              {s.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {data.map((row) => (
          <tr key={row.date}>
            <th scope="row">{row.date}</th>
            {series.map((s) => {
              const v = Number(row[s.key] ?? 0);
              return <td key={s.key}>{s.format ? s.format(v) : v}</td>;
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Horizontal bars of a few named values (cost by agent or team). */
export function RankChart({ title, data, format }: { title: string; data: { name: string; value: number }[]; format: (v: number) => string }) {
  return (
    <figure className="chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      <div aria-hidden="true">
        <ResponsiveContainer width="100%" height={Math.max(120, data.length * 32 + 40)}>
          <BarChart accessibilityLayer={false} data={data} layout="vertical" margin={{ left: 24, right: 24 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis type="number" fontSize={12} tickFormatter={(v: number) => format(v)} />
            <YAxis type="category" dataKey="name" width={160} fontSize={12} />
            <Tooltip formatter={(v) => format(Number(v))} />
            <Bar dataKey="value" name="Cost" fill={COLOURS[0]} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

import type { ReactNode } from "react";

export function Kpi({ label, value, note, tone }: { label: string; value: ReactNode; note?: ReactNode; tone?: "bad" | "good" }) {
  return (
    <div className={`kpi${tone ? ` kpi-${tone}` : ""}`}>
      <dt>{label}</dt>
      <dd>
        <span className="kpi-value">{value}</span>
        {note && <span className="kpi-note">{note}</span>}
      </dd>
    </div>
  );
}

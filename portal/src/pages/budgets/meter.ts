/** The budget bar's geometry: spend and reserved against the maximum, with the alert and pause marks. */

export interface BudgetFigures {
  max_amount_usd: string;
  current_spend_usd: string;
  reserved_usd?: string | null;
  threshold_alert_percent: number;
  auto_pause_at_percent?: number | null;
}

export interface Meter {
  /** The bar's full width is this percentage of the maximum (100, or more when auto-pause is above it). */
  scale: number;
  spentPercent: number;
  reservedPercent: number;
  /** Widths on the bar, 0..100. */
  spentWidth: number;
  reservedWidth: number;
  alertAt: number;
  pauseAt: number | null;
  state: "ok" | "alert" | "over";
}

const n = (value: string | null | undefined) => {
  const x = Number(value ?? 0);
  return Number.isFinite(x) ? x : 0;
};

export function meter(b: BudgetFigures): Meter {
  const max = n(b.max_amount_usd);
  const spent = max > 0 ? (n(b.current_spend_usd) / max) * 100 : 0;
  const reserved = max > 0 ? (Math.max(0, n(b.reserved_usd)) / max) * 100 : 0;
  const pause = b.auto_pause_at_percent ?? null;
  const scale = Math.max(100, pause ?? 0);
  const width = (p: number) => Math.min(100, Math.max(0, (p / scale) * 100));
  const spentWidth = width(spent);
  return {
    scale,
    spentPercent: spent,
    reservedPercent: reserved,
    spentWidth,
    reservedWidth: Math.min(100 - spentWidth, width(reserved)),
    alertAt: width(b.threshold_alert_percent),
    pauseAt: pause === null ? null : width(pause),
    state: spent >= 100 ? "over" : spent >= b.threshold_alert_percent ? "alert" : "ok",
  };
}

/** `37 %`, `0.4 %`, `1 250 %`: one decimal below 10. */
export function percent(p: number): string {
  return `${p < 10 && p > 0 ? p.toFixed(1) : Math.round(p).toLocaleString("en-US")} %`;
}

/** The agents a budget paused, from their pause reason (the budget service writes "budget <id> reached ..."). */
export function pausedBy<T extends { status: string; paused_reason?: string | null }>(budgetId: string, agents: T[]): T[] {
  return agents.filter((a) => a.status === "paused" && (a.paused_reason ?? "").startsWith(`budget ${budgetId} `));
}

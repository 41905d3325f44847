/** When an approval's current wait times out, how that reads, and how often the inbox asks again. */

export interface Waiting {
  status: string;
  stage: "initial" | "escalated";
  created_at: string;
  escalated_at?: string | null;
  timeout_seconds: number;
}

/**
 * The end of the current wait (ms since the epoch): the approval state machine waits
 * `timeout_seconds` from the request, and once more from the escalation (docs/policies.md).
 * Null when the approval is decided or expired.
 */
export function deadline(approval: Waiting): number | null {
  if (approval.status !== "pending") return null;
  const start = approval.stage === "escalated" && approval.escalated_at ? approval.escalated_at : approval.created_at;
  const t = Date.parse(start);
  return Number.isNaN(t) ? null : t + approval.timeout_seconds * 1000;
}

/** `2 d 03 h`, `1 h 05 min`, `4 min 09 s`, `42 s`; `0 s` once due (the workflow moves it on shortly). */
export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  if (days > 0) return `${days} d ${two(hours)} h`;
  if (hours > 0) return `${hours} h ${two(minutes)} min`;
  if (minutes > 0) return `${minutes} min ${two(seconds)} s`;
  return `${seconds} s`;
}

/** The same in words for assistive technology: "4 minutes 9 seconds left". */
export function spokenRemaining(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  if (total === 0) return "time is up";
  const parts: [number, string][] = [
    [Math.floor(total / 86_400), "day"],
    [Math.floor((total % 86_400) / 3600), "hour"],
    [Math.floor((total % 3600) / 60), "minute"],
    [total % 60, "second"],
  ];
  const words = parts.filter(([n]) => n > 0).slice(0, 2).map(([n, unit]) => `${n} ${unit}${n === 1 ? "" : "s"}`);
  return `${words.join(" ")} left`;
}

export const POLL_FIRST_MS = 2000;
export const POLL_MAX_MS = 15_000;
export const POLL_ERROR_MAX_MS = 60_000;

/**
 * The wait before the next poll: back to the first delay when something changed, ×1.5 per quiet
 * poll up to 15 s, ×2 per failure up to a minute (a struggling API is not hammered).
 */
export function nextPollDelay(previous: number, outcome: "changed" | "unchanged" | "failed"): number {
  if (outcome === "changed") return POLL_FIRST_MS;
  if (outcome === "failed") return Math.min(Math.max(previous, POLL_FIRST_MS) * 2, POLL_ERROR_MAX_MS);
  return Math.min(Math.round(previous * 1.5), POLL_MAX_MS);
}

/** What the inbox compares between polls: each approval's id, status and stage. */
export function signature(items: { id: string; status: string; stage: string }[]): string {
  return items.map((a) => `${a.id}:${a.status}:${a.stage}`).join("|");
}

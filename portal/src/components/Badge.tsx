/** Status with a symbol and a word, never colour alone. */
const SYMBOL: Record<string, string> = {
  active: "●",
  paused: "⏸",
  success: "✓",
  error: "✕",
  timeout: "⌛",
  cancelled: "⊘",
  running: "▶",
  revoked: "⊘",
  allow: "✓",
  deny: "✕",
  pending: "…",
  expired: "⌛",
};

export function Badge({ value }: { value: string }) {
  return (
    <span className={`badge badge-${value}`}>
      <span aria-hidden="true">{SYMBOL[value] ?? "•"}</span> {value}
    </span>
  );
}

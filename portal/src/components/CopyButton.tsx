import { useState } from "react";

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState<"idle" | "done" | "failed">("idle");
  const shown = copied === "done" ? "✓ Copied" : copied === "failed" ? "Copy failed: select and copy" : "Copy";
  return (
    <button
      type="button"
      className="copy"
      // The accessible name starts with the visible text (WCAG 2.5.3), whatever the state.
      aria-label={`${shown} ${label}`}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
          setCopied("done");
        } catch {
          setCopied("failed");
        }
        setTimeout(() => setCopied("idle"), 2000);
      }}
    >
      {shown}
      <span className="visually-hidden" aria-live="polite">
        {copied === "done" ? `${label} copied` : ""}
      </span>
    </button>
  );
}

export function Secret({ label, value }: { label: string; value: string }) {
  const id = `secret-${label.replace(/\W+/g, "-").toLowerCase()}`;
  return (
    <div className="secret">
      <label htmlFor={id}>{label}</label>
      <div className="secret-row">
        <input id={id} readOnly value={value} className="mono" onFocus={(e) => e.currentTarget.select()} />
        <CopyButton text={value} label={label} />
      </div>
    </div>
  );
}

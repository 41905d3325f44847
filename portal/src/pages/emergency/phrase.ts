export type SwitchScope = "tenant" | "team" | "tag";

/** What an admin types to confirm the kill switch: it names what will happen ("pause team payments"). */
export function confirmationPhrase(kind: "pause" | "resume", scope: SwitchScope, name: string): string {
  if (scope === "tenant") return `${kind} everything`;
  return `${kind} ${scope} ${name.trim() || `<${scope}>`}`;
}

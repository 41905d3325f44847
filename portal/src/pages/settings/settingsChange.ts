import type { Schemas } from "../../api/client";

export interface PolicyDefaults {
  default_decision: "allow" | "deny";
  four_eyes: boolean;
}

/** What a save sends (only what changed) and whether it loosens the default, which is confirmed first. */
export function settingsChange(current: PolicyDefaults, draft: PolicyDefaults): {
  changed: boolean;
  needsConfirmation: boolean;
  body: Schemas["GovernanceSettingsUpdate"];
} {
  const body: Schemas["GovernanceSettingsUpdate"] = {};
  if (draft.default_decision !== current.default_decision) body.default_decision = draft.default_decision;
  if (draft.four_eyes !== current.four_eyes) body.four_eyes = draft.four_eyes;
  return {
    changed: Object.keys(body).length > 0,
    needsConfirmation: body.default_decision === "allow",
    body,
  };
}

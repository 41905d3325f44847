import { ApiError, messageOf } from "../../api/errors";
import type { Role } from "../../auth/AuthContext";

export const ROLES: readonly Role[] = ["owner", "admin", "team_lead", "member", "viewer"];

export const ROLE_LABEL: Record<string, string> = {
  owner: "Owner",
  admin: "Admin",
  team_lead: "Team lead",
  member: "Member",
  viewer: "Viewer",
};

/** The roles the caller may give: only an owner makes (or changes, or removes) an owner. */
export function assignableRoles(mine: Role | null): Role[] {
  if (mine === "owner") return [...ROLES];
  if (mine === "admin") return ROLES.filter((r) => r !== "owner");
  return [];
}

/** Whether the caller may change or remove this member (an owner's row is an owner's to change). */
export function canManage(mine: Role | null, theirs: Role): boolean {
  return assignableRoles(mine).includes(theirs);
}

export const LAST_OWNER_EXPLANATION =
  "An organisation always keeps at least one owner, so its last owner can be neither demoted nor removed. " +
  "Make another member owner first, then change or remove this one.";

/** The API's refusals of a member change, explained. */
export function memberErrorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === "last_owner") return LAST_OWNER_EXPLANATION;
    if (error.code === "insufficient_role") return "Only an owner can make, change or remove an owner.";
    if (error.code === "member_exists") return "A person with this email already has an account.";
  }
  return messageOf(error);
}

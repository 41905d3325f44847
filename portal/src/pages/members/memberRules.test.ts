import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/errors";
import { assignableRoles, canManage, LAST_OWNER_EXPLANATION, memberErrorMessage } from "./memberRules";

describe("assignableRoles", () => {
  it("lets an owner give every role, an admin every role but owner, anyone else none", () => {
    expect(assignableRoles("owner")).toEqual(["owner", "admin", "team_lead", "member", "viewer"]);
    expect(assignableRoles("admin")).toEqual(["admin", "team_lead", "member", "viewer"]);
    expect(assignableRoles("team_lead")).toEqual([]);
    expect(assignableRoles(null)).toEqual([]);
  });
  it("keeps an owner's row for owners", () => {
    expect(canManage("admin", "owner")).toBe(false);
    expect(canManage("admin", "member")).toBe(true);
    expect(canManage("owner", "owner")).toBe(true);
    expect(canManage("viewer", "viewer")).toBe(false);
  });
});

describe("memberErrorMessage", () => {
  it("explains the last-owner rule instead of the code", () => {
    const refused = new ApiError(409, "last_owner", "The last owner can be neither demoted nor removed.");
    expect(memberErrorMessage(refused)).toBe(LAST_OWNER_EXPLANATION);
  });
  it("keeps the API's message for anything else", () => {
    expect(memberErrorMessage(new ApiError(400, "validation_error", "email: not an email"))).toBe("email: not an email");
  });
});

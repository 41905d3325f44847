import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/errors";
import { REFRESH_KEY, REFRESH_MARGIN_MS, Session, decodeJwt, type Transport } from "./session";

function jwt(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(o)))).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${b64({ alg: "none" })}.${b64(claims)}.sig`;
}

const tokens = (n: number, refresh: string | null = null) => ({
  access_token: `access-${n}`,
  id_token: jwt({ sub: "u1", email: "ada@example.com" }),
  refresh_token: refresh,
  expires_in: 3600,
  token_type: "Bearer" as const,
});

describe("Session", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    sessionStorage.clear();
  });
  afterEach(() => vi.useRealTimers());

  it("keeps the access token in memory only and the refresh token in this tab's storage", () => {
    const session = new Session({ refresh: vi.fn(), logout: vi.fn() }, sessionStorage);
    session.start(tokens(1, "refresh-1"));
    expect(session.accessToken()).toBe("access-1");
    expect(session.user()).toEqual({ sub: "u1", email: "ada@example.com" });
    expect(sessionStorage.getItem(REFRESH_KEY)).toBe("refresh-1");
    expect(JSON.stringify({ ...sessionStorage })).not.toContain("access-1");
    expect(JSON.stringify({ ...localStorage })).not.toContain("refresh-1");
  });

  it("refreshes silently a minute before the access token expires", async () => {
    const transport: Transport = { refresh: vi.fn(async () => tokens(2)), logout: vi.fn() };
    const session = new Session(transport, sessionStorage);
    session.start(tokens(1, "refresh-1"));
    await vi.advanceTimersByTimeAsync(3600_000 - REFRESH_MARGIN_MS - 1);
    expect(transport.refresh).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(2);
    expect(transport.refresh).toHaveBeenCalledWith("refresh-1");
    expect(session.accessToken()).toBe("access-2");
    expect(sessionStorage.getItem(REFRESH_KEY)).toBe("refresh-1"); // Cognito keeps the refresh token
  });

  it("shares one refresh among concurrent callers", async () => {
    let resolve: (t: ReturnType<typeof tokens>) => void = () => undefined;
    const transport: Transport = {
      refresh: vi.fn(() => new Promise<ReturnType<typeof tokens>>((r) => (resolve = r))),
      logout: vi.fn(),
    };
    const session = new Session(transport, sessionStorage);
    session.start(tokens(1, "refresh-1"));
    const both = Promise.all([session.refresh(), session.refresh()]);
    resolve(tokens(2));
    expect(await both).toEqual([true, true]);
    expect(transport.refresh).toHaveBeenCalledTimes(1);
  });

  it("ends the session when the refresh token is refused, but not on a network failure", async () => {
    const refresh = vi.fn<Transport["refresh"]>();
    const pauses: number[] = [];
    const sleep = async (ms: number) => void pauses.push(ms);
    const session = new Session({ refresh, logout: vi.fn() }, sessionStorage, Date.now, sleep);
    session.start(tokens(1, "refresh-1"));
    refresh.mockRejectedValue(new ApiError(0, "network_error", "down"));
    expect(await session.refresh()).toBe(false);
    expect(refresh).toHaveBeenCalledTimes(3);
    expect(pauses).toEqual([1000, 2000]);
    expect(session.signedIn).toBe(true);
    refresh.mockReset();
    refresh.mockRejectedValueOnce(new ApiError(401, "invalid_refresh_token", "expired"));
    expect(await session.refresh()).toBe(false);
    expect(session.signedIn).toBe(false);
    expect(sessionStorage.getItem(REFRESH_KEY)).toBeNull();
  });

  it("retries a throttled or failed refresh instead of ending the session", async () => {
    const refresh = vi.fn<Transport["refresh"]>();
    const session = new Session({ refresh, logout: vi.fn() }, sessionStorage, Date.now, async () => undefined);
    session.start(tokens(1, "refresh-1"));
    refresh
      .mockRejectedValueOnce(new ApiError(429, "throttled", "slow down"))
      .mockRejectedValueOnce(new ApiError(503, "service_unavailable", "busy"))
      .mockResolvedValueOnce(tokens(2));
    expect(await session.refresh()).toBe(true);
    expect(session.accessToken()).toBe("access-2");
    expect(refresh).toHaveBeenCalledTimes(3);
  });

  it("signs out: revokes at the API with the current token and forgets everything", async () => {
    const logout = vi.fn(async () => undefined);
    const session = new Session({ refresh: vi.fn(), logout }, sessionStorage);
    const changes = vi.fn();
    session.subscribe(changes);
    session.start(tokens(1, "refresh-1"));
    await session.signOut();
    expect(logout).toHaveBeenCalledWith("access-1");
    expect([session.accessToken(), session.user(), sessionStorage.getItem(REFRESH_KEY)]).toEqual([null, null, null]);
    expect(changes).toHaveBeenCalledTimes(2);
  });

  it("decodes base64url JWT payloads with non-ASCII claims", () => {
    expect(decodeJwt(jwt({ name: "Zoë" })).name).toBe("Zoë");
    expect(decodeJwt("not-a-jwt")).toEqual({});
  });
});

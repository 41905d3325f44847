import { describe, expect, it } from "vitest";
import { call, collect, createApi, retryAfterMs, useTokenSource } from "./client";
import { ApiError } from "./errors";

type Handler = (request: Request) => Response | Promise<Response>;

/** A fake API server behind fetch: records requests, answers with the handler. */
function server(handler: Handler) {
  const seen: Request[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    seen.push(request.clone());
    return handler(request);
  }) as typeof fetch;
  return { api: createApi("http://portal.test", fetchImpl), seen };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

describe("call", () => {
  it("sends the session's bearer token and returns the data", async () => {
    useTokenSource({ accessToken: () => "tok-1", refresh: async () => false });
    const { api, seen } = server(() => json(200, { items: [], next_cursor: null }));
    const page = await call(() => api.GET("/api/v1/agents", { params: { query: { status: "paused" } } }));
    expect(page.items).toEqual([]);
    expect(seen[0]!.headers.get("Authorization")).toBe("Bearer tok-1");
    expect(new URL(seen[0]!.url).searchParams.get("status")).toBe("paused");
  });

  it("turns the API's error body into an ApiError with field-level details", async () => {
    useTokenSource({ accessToken: () => "tok", refresh: async () => false });
    const { api } = server(() =>
      json(400, {
        error: {
          code: "validation_error",
          message: "The request is invalid.",
          details: [{ field: "tags.0", location: "body", issue: "string_pattern_mismatch", message: "String should match pattern" }],
        },
      }),
    );
    const error = await call(() => api.POST("/api/v1/agents", { body: { name: "x", tags: ["bad tag"] } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect([apiError.status, apiError.code, apiError.message]).toEqual([400, "validation_error", "The request is invalid."]);
    expect(apiError.fieldErrors()).toEqual({ tags: "String should match pattern" });
  });

  it("refreshes once on a 401 and resends with the new token", async () => {
    let token = "expired";
    let refreshes = 0;
    useTokenSource({
      accessToken: () => token,
      refresh: async () => {
        refreshes += 1;
        token = "fresh";
        return true;
      },
    });
    const { api, seen } = server((r) =>
      r.headers.get("Authorization") === "Bearer fresh" ? json(200, { items: [] }) : json(401, { error: { code: "unauthorized", message: "Missing or invalid credentials.", details: [] } }),
    );
    const tiers = await call(() => api.GET("/api/v1/tiers"));
    expect(tiers.items).toEqual([]);
    expect(refreshes).toBe(1);
    expect(seen.map((r) => r.headers.get("Authorization"))).toEqual(["Bearer expired", "Bearer fresh"]);
  });

  it("gives up after one refresh: a second 401 is the session's end", async () => {
    useTokenSource({ accessToken: () => "tok", refresh: async () => true });
    const { api, seen } = server(() => json(401, { error: { code: "unauthorized", message: "Missing or invalid credentials.", details: [] } }));
    const error = (await call(() => api.GET("/api/v1/tiers")).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(401);
    expect(seen).toHaveLength(2);
  });

  it("does not try to refresh when nobody is signed in", async () => {
    let refreshed = false;
    useTokenSource({ accessToken: () => null, refresh: async () => (refreshed = true) });
    const { api, seen } = server(() => json(401, { error: { code: "unauthorized", message: "no", details: [] } }));
    await expect(call(() => api.GET("/api/v1/tiers"))).rejects.toMatchObject({ status: 401 });
    expect(refreshed).toBe(false);
    expect(seen[0]!.headers.has("Authorization")).toBe(false);
  });

  it("sends a throttled request again after its Retry-After, twice at most", async () => {
    useTokenSource({ accessToken: () => null, refresh: async () => false });
    const throttled = () =>
      new Response(JSON.stringify({ error: { code: "throttled", message: "Over the tier's rate limit.", details: [] } }), {
        status: 429,
        headers: { "Content-Type": "application/json", "Retry-After": "0" },
      });
    let answers = 0;
    const once = server(() => (++answers === 1 ? throttled() : json(200, { tiers: [] })));
    expect(await call(() => once.api.GET("/api/v1/tiers"))).toEqual({ tiers: [] });
    expect(once.seen).toHaveLength(2);
    const always = server(throttled);
    await expect(call(() => always.api.GET("/api/v1/tiers"))).rejects.toMatchObject({ status: 429, code: "throttled" });
    expect(always.seen).toHaveLength(3);
  });

  it("reports an unreachable API and a non-JSON failure in words", async () => {
    useTokenSource({ accessToken: () => null, refresh: async () => false });
    const down = server(() => {
      throw new TypeError("Failed to fetch");
    });
    await expect(call(() => down.api.GET("/api/v1/tiers"))).rejects.toMatchObject({ status: 0, code: "network_error" });
    const proxy = server(() => new Response("<html>Bad gateway</html>", { status: 502 }));
    await expect(call(() => proxy.api.GET("/api/v1/tiers"))).rejects.toMatchObject({
      status: 502,
      message: "The service failed to answer. Try again in a moment.",
    });
  });

  it("reads RFC 6749 error bodies from the token endpoint", () => {
    const error = ApiError.from(401, { error: "invalid_client", error_description: "Client authentication failed." });
    expect([error.code, error.message]).toEqual(["invalid_client", "Client authentication failed."]);
  });
});

describe("retryAfterMs", () => {
  it("reads Retry-After in seconds, bounded, one second when absent or unreadable", () => {
    const after = (value?: string) => retryAfterMs(new Response(null, { status: 429, headers: value ? { "Retry-After": value } : {} }));
    expect(after("2")).toBe(2000);
    expect(after("60")).toBe(5000);
    expect(after()).toBe(1000);
    expect(after("soon")).toBe(1000);
  });
});

describe("collect", () => {
  it("follows next_cursor to the end", async () => {
    const pages: Record<string, { items: number[]; next_cursor: string | null }> = {
      start: { items: [1, 2], next_cursor: "b" },
      b: { items: [3], next_cursor: "c" },
      c: { items: [4], next_cursor: null },
    };
    const cursors: (string | undefined)[] = [];
    const all = await collect(async (cursor) => {
      cursors.push(cursor);
      return pages[cursor ?? "start"]!;
    });
    expect(all).toEqual([1, 2, 3, 4]);
    expect(cursors).toEqual([undefined, "b", "c"]);
  });
});

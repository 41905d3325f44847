/**
 * The typed API client: openapi-fetch over the types generated from docs/openapi.json, so a
 * change of the contract breaks the build. `call` adds what every page needs: the session's
 * bearer token, one silent refresh and retry on a 401, and errors as `ApiError`.
 */
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";
import { ApiError } from "./errors";

export type Schemas = components["schemas"];
export type Agent = Schemas["Agent"];
export type Run = Schemas["Run"];
export type RunEvent = Schemas["RunEvent"];
export type Tier = Schemas["Tier"];
export type Tokens = Schemas["Tokens"];
export type IssuedCredential = Schemas["IssuedCredential"];
export type Credential = Schemas["Credential"];
export type CostDay = Schemas["CostDay"];

/** What the client needs from the session: kept abstract so tests give their own. */
export interface TokenSource {
  accessToken(): string | null;
  /** Refresh the tokens; resolves true when a new access token is available. */
  refresh(): Promise<boolean>;
}

const anonymous: TokenSource = { accessToken: () => null, refresh: async () => false };
let tokens: TokenSource = anonymous;

export function useTokenSource(source: TokenSource): void {
  tokens = source;
}

export function createApi(baseUrl: string, fetchImpl?: typeof fetch) {
  const client = createClient<paths>({ baseUrl, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  client.use({
    onRequest({ request }) {
      const token = tokens.accessToken();
      if (token && !request.headers.has("Authorization")) {
        request.headers.set("Authorization", `Bearer ${token}`);
      }
      return request;
    },
  });
  return client;
}

export const api = createApi(typeof window === "undefined" ? "http://localhost" : window.location.origin);

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Send a request (a thunk, so it can be sent again) and unwrap it: the data, or an ApiError.
 * A 401 refreshes the session once and resends; a network failure is an ApiError with status 0.
 */
export async function call<T>(send: () => Promise<Answer<T>>): Promise<T> {
  let answer = await sendOnce(send);
  if (answer.response.status === 401 && tokens.accessToken() !== null) {
    if (await tokens.refresh()) answer = await sendOnce(send);
  }
  if (!answer.response.ok) throw ApiError.from(answer.response.status, answer.error);
  return answer.data as T;
}

async function sendOnce<T>(send: () => Promise<Answer<T>>): Promise<Answer<T>> {
  try {
    return await send();
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(0, "network_error", "The API could not be reached. Check your connection and try again.");
  }
}

/** Follow `next_cursor` until the end or `max` items: for counts and filter choices. */
export async function collect<T>(
  page: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor?: string | null }>,
  max = 1000,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const answer = await page(cursor);
    items.push(...answer.items);
    cursor = answer.next_cursor ?? undefined;
  } while (cursor && items.length < max);
  return items;
}

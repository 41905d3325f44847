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

/** A throttled request (429, the tier's rate limit) is sent again this often, after its Retry-After. */
const THROTTLE_RETRIES = 2;
const MAX_RETRY_AFTER_MS = 5_000;

export function retryAfterMs(response: Response): number {
  const header = response.headers.get("Retry-After");
  const seconds = header === null ? 1 : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, MAX_RETRY_AFTER_MS) : 1000;
}

/**
 * Send a request (a thunk, so it can be sent again) and unwrap it: the data, or an ApiError.
 * A 429 is sent again after its Retry-After (twice at most: a page's first load may pass the free
 * tier's burst); a 401 refreshes the session once and resends; a network failure is an ApiError
 * with status 0.
 */
export async function call<T>(send: () => Promise<Answer<T>>): Promise<T> {
  let answer = await sendOnce(send);
  for (let retry = 0; answer.response.status === 429 && retry < THROTTLE_RETRIES; retry++) {
    await new Promise((resolve) => setTimeout(resolve, retryAfterMs(answer.response)));
    answer = await sendOnce(send);
  }
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

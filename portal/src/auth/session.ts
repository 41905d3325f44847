/**
 * The signed-in session. The access and ID tokens live in this module's memory only: never in
 * storage, so a page reload or another tab cannot read them. The refresh token is kept in
 * sessionStorage (this tab only, gone when it closes) so a reload does not sign the user out;
 * sign-out revokes it at the API. docs/portal.md explains the trade-offs.
 */
import { ApiError } from "../api/errors";
import type { Tokens, TokenSource } from "../api/client";

export const REFRESH_KEY = "agentgate.refresh";
/** Refresh this long before the access token expires. */
export const REFRESH_MARGIN_MS = 60_000;
/** The refresh route's answers that mean the token itself is refused. */
const REFUSED = new Set([400, 401, 403]);
const REFRESH_ATTEMPTS = 3;
const RETRY_DELAY_MS = 1_000;

export interface SessionUser {
  sub: string;
  email: string;
}

export interface Transport {
  refresh(refreshToken: string): Promise<Tokens>;
  logout(accessToken: string): Promise<void>;
}

type Listener = () => void;

export function decodeJwt(token: string): Record<string, unknown> {
  const part = token.split(".")[1];
  if (!part) return {};
  try {
    const b64 = part.replace(/-/g, "+").replace(/_/g, "/");
    const json = decodeURIComponent(
      Array.from(atob(b64), (c) => "%" + c.charCodeAt(0).toString(16).padStart(2, "0")).join(""),
    );
    return JSON.parse(json) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export class Session implements TokenSource {
  private access: string | null = null;
  private idToken: string | null = null;
  private expiresAt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inflight: Promise<boolean> | null = null;
  private listeners = new Set<Listener>();

  constructor(
    private readonly transport: Transport,
    private readonly storage: Storage,
    private readonly now: () => number = () => Date.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  accessToken(): string | null {
    return this.access;
  }

  get signedIn(): boolean {
    return this.access !== null;
  }

  get hasRefreshToken(): boolean {
    return this.storage.getItem(REFRESH_KEY) !== null;
  }

  user(): SessionUser | null {
    if (!this.idToken) return null;
    const claims = decodeJwt(this.idToken);
    return { sub: String(claims.sub ?? ""), email: String(claims.email ?? claims["cognito:username"] ?? "") };
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Take the tokens of a sign-up, sign-in or refresh. */
  start(tokens: Tokens): void {
    this.access = tokens.access_token;
    this.idToken = tokens.id_token;
    this.expiresAt = this.now() + tokens.expires_in * 1000;
    if (tokens.refresh_token) this.storage.setItem(REFRESH_KEY, tokens.refresh_token);
    this.schedule();
    this.emit();
  }

  /** Refresh silently; concurrent callers share one request. False: the session has ended. */
  refresh(): Promise<boolean> {
    if (!this.inflight) {
      this.inflight = this.doRefresh().finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  }

  /** Sign out: revoke the refresh tokens at the API, then forget everything here. */
  async signOut(): Promise<void> {
    const token = this.access;
    this.clear();
    if (token) {
      try {
        await this.transport.logout(token);
      } catch {
        // The local session is gone either way; the API revokes on its next successful call.
      }
    }
  }

  clear(): void {
    this.access = null;
    this.idToken = null;
    this.expiresAt = 0;
    this.storage.removeItem(REFRESH_KEY);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.emit();
  }

  /** Milliseconds until the scheduled refresh (for tests and the UI). */
  refreshDelay(): number {
    return Math.max(0, this.expiresAt - REFRESH_MARGIN_MS - this.now());
  }

  private async doRefresh(): Promise<boolean> {
    const refreshToken = this.storage.getItem(REFRESH_KEY);
    if (!refreshToken) {
      this.clear();
      return false;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const tokens = await this.transport.refresh(refreshToken);
        this.start({ ...tokens, refresh_token: tokens.refresh_token ?? refreshToken });
        return true;
      } catch (err) {
        // A refused refresh token ends the session. A throttled or failed call (429, 5xx, the
        // network) says nothing of the token: try again shortly, then keep it for a later retry.
        if (err instanceof ApiError && REFUSED.has(err.status)) {
          this.clear();
          return false;
        }
        if (attempt >= REFRESH_ATTEMPTS) return false;
        await this.sleep(RETRY_DELAY_MS * attempt);
      }
    }
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), this.refreshDelay());
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

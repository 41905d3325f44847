/** The API's error body (API.md): `{"error": {"code", "message", "details": [...]}}`. */
export interface ErrorDetail {
  field?: string;
  message?: string;
  [key: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetail[];

  constructor(status: number, code: string, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** Any body the API (or a proxy in front of it) may answer with, in words a person can read. */
  static from(status: number, body: unknown): ApiError {
    if (body && typeof body === "object") {
      const err = (body as { error?: unknown }).error;
      if (err && typeof err === "object") {
        const e = err as { code?: unknown; message?: unknown; details?: unknown };
        return new ApiError(
          status,
          typeof e.code === "string" ? e.code : `http_${status}`,
          typeof e.message === "string" ? e.message : fallbackMessage(status),
          Array.isArray(e.details) ? (e.details as ErrorDetail[]) : [],
        );
      }
      // RFC 6749 token endpoint errors
      const oauth = body as { error?: unknown; error_description?: unknown };
      if (typeof oauth.error === "string") {
        return new ApiError(status, oauth.error, String(oauth.error_description ?? oauth.error));
      }
    }
    return new ApiError(status, `http_${status}`, fallbackMessage(status));
  }

  get forbidden(): boolean {
    return this.status === 403;
  }

  /** Field-level messages keyed by field name (the last part of a dotted or list location). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const detail of this.details) {
      const raw = detail.field ?? (Array.isArray(detail.loc) ? detail.loc.join(".") : undefined);
      if (typeof raw !== "string" || !raw) continue;
      const parts = raw.split(".").filter((p) => !/^\d+$/.test(p) && p !== "body");
      const name = parts[0] ?? raw;
      out[name] = out[name] ? out[name] : String(detail.message ?? detail.msg ?? "Invalid value.");
    }
    return out;
  }
}

export function fallbackMessage(status: number): string {
  if (status === 0) return "The API could not be reached. Check your connection and try again.";
  if (status === 401) return "Your session has ended. Sign in again.";
  if (status === 403) return "Your role does not allow this.";
  if (status === 404) return "Not found.";
  if (status === 429) return "Too many requests: wait a moment and try again.";
  if (status >= 500) return "The service failed to answer. Try again in a moment.";
  return `The request failed (HTTP ${status}).`;
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

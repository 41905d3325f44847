import type { ReactNode } from "react";
import { Link } from "react-router";
import type { ApiError } from "../api/errors";
import type { Loaded } from "./useApi";

export function Loading({ label = "Loading" }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}…
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <p className="state-title">{title}</p>
      {children}
    </div>
  );
}

export function Forbidden({ what = "this page" }: { what?: string }) {
  return (
    <div className="state state-forbidden" role="alert">
      <p className="state-title">⛔ Not allowed</p>
      <p>
        Your role in this organisation may not see {what}. Ask an admin or the owner for a higher role.
      </p>
    </div>
  );
}

export function ErrorState({ error, retry }: { error: ApiError; retry?: () => void }) {
  if (error.status === 403) return <Forbidden />;
  if (error.status === 401)
    return (
      <div className="state state-error" role="alert">
        <p className="state-title">⚠ Session ended</p>
        <p>
          {error.message} <Link to="/signin">Sign in</Link>
        </p>
      </div>
    );
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">⚠ Something went wrong</p>
      <p>{error.message}</p>
      {error.details.length > 0 && (
        <ul>
          {error.details.map((d, i) => (
            <li key={i}>
              {d.field ? <code>{String(d.field)}</code> : null} {String(d.message ?? "")}
            </li>
          ))}
        </ul>
      )}
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Render a load's loading, error (403 included) or ready state. */
export function Async<T>({
  value,
  children,
  label,
}: {
  value: Loaded<T> & { reload?: () => void };
  children: (data: T) => ReactNode;
  label?: string;
}) {
  if (value.state === "loading") return <Loading label={label} />;
  if (value.state === "error") return <ErrorState error={value.error} retry={value.reload} />;
  return <>{children(value.data)}</>;
}

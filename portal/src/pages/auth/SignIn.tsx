import { useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { api, call } from "../../api/client";
import { ApiError, messageOf } from "../../api/errors";
import { useAuth } from "../../auth/AuthContext";
import { Field, FormError } from "../../components/Field";

/** Only paths inside the portal: a `next` parameter never sends anyone to another site. */
export function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/app";
}

export function SignIn() {
  const { begin } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [newPassword, setNewPassword] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      const body = newPassword === null ? { email, password } : { email, password, new_password: newPassword };
      const result = await call(() => api.POST("/api/v1/auth/login", { body }));
      begin(result.tokens);
      navigate(safeNext(params.get("next")));
    } catch (err) {
      if (err instanceof ApiError && err.code === "new_password_required") {
        setNewPassword("");
        setFormError("This is your first sign-in: choose a new password.");
      } else if (err instanceof ApiError) {
        setErrors(err.fieldErrors());
        setFormError(err.message);
      } else setFormError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="narrow">
      <h1>Sign in</h1>
      <form onSubmit={submit} noValidate>
        <FormError message={formError} />
        <Field id="email" label="Email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoComplete="email" error={errors.email} />
        <Field id="password" label="Password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} required autoComplete="current-password" error={errors.password} />
        {newPassword !== null && (
          <Field id="new_password" label="New password" type="password" value={newPassword} onChange={(e) => setNewPassword(e.target.value)} required autoComplete="new-password" error={errors.new_password} />
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p>
        New to AgentGate? <Link to="/signup">Create an account</Link>
      </p>
    </div>
  );
}

import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { api, call } from "../../api/client";
import { ApiError, messageOf } from "../../api/errors";
import { useAuth } from "../../auth/AuthContext";
import { Field, FormError } from "../../components/Field";

export function SignUp() {
  const { begin } = useAuth();
  const navigate = useNavigate();
  const [org, setOrg] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      const result = await call(() =>
        api.POST("/api/v1/auth/signup", { body: { org_name: org, email, password } }),
      );
      begin(result.tokens);
      navigate("/onboarding");
    } catch (err) {
      if (err instanceof ApiError) {
        setErrors(err.fieldErrors());
        setFormError(err.code === "email_taken" ? "An account with this email exists: sign in instead." : err.message);
      } else setFormError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="narrow">
      <h1>Create your organisation</h1>
      <p className="muted">Free tier, no card. You will register your first agent next.</p>
      <form onSubmit={submit} noValidate>
        <FormError message={formError} />
        <Field id="org_name" label="Organisation name" value={org} onChange={(e) => setOrg(e.target.value)} required autoComplete="organization" error={errors.org_name} />
        <Field id="email" label="Work email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoComplete="email" error={errors.email} />
        <Field
          id="password"
          label="Password"
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
          autoComplete="new-password"
          hint="At least 8 characters with upper and lower case letters, a digit and a symbol."
          error={errors.password}
        />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Creating…" : "Create account"}
        </button>
      </form>
      <p>
        Already have an account? <Link to="/signin">Sign in</Link>
      </p>
    </div>
  );
}

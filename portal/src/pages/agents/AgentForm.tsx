import { useEffect, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api, call, type Agent } from "../../api/client";
import { ApiError, messageOf } from "../../api/errors";
import { roleAtLeast, useAuth } from "../../auth/AuthContext";
import { Field, FormError } from "../../components/Field";
import { ErrorState, Forbidden, Loading } from "../../components/States";

interface Draft {
  name: string;
  description: string;
  type: string;
  provider: string;
  environment: string;
  team: string;
  tags: string;
  scopes: string;
}

const EMPTY: Draft = { name: "", description: "", type: "autonomous", provider: "", environment: "production", team: "", tags: "", scopes: "runs:write" };

export function splitList(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function fromAgent(a: Agent): Draft {
  return {
    name: a.name,
    description: a.description,
    type: a.type,
    provider: a.provider ?? "",
    environment: a.environment,
    team: a.team ?? "",
    tags: a.tags.join(", "),
    scopes: a.scopes.join(" "),
  };
}

export default function AgentForm() {
  const { id } = useParams();
  const { role } = useAuth();
  const navigate = useNavigate();
  const [draft, setDraft] = useState<Draft | null>(id ? null : EMPTY);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!id) return;
    call(() => api.GET("/api/v1/agents/{id}", { params: { path: { id } } })).then(
      (a) => setDraft(fromAgent(a)),
      (e: unknown) => setLoadError(e instanceof ApiError ? e : new ApiError(0, "client_error", messageOf(e))),
    );
  }, [id]);

  if (role !== null && !roleAtLeast(role, "member")) return <><h1>{id ? "Edit agent" : "Register an agent"}</h1><Forbidden what="agent changes" /></>;
  if (loadError) return <><h1>Edit agent</h1><ErrorState error={loadError} /></>;
  if (!draft) return <Loading label="Loading the agent" />;

  const set = (key: keyof Draft) => (e: { target: { value: string } }) => setDraft({ ...draft, [key]: e.target.value });

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!draft) return;
    setBusy(true);
    setErrors({});
    setFormError(null);
    const body = {
      name: draft.name,
      description: draft.description,
      type: draft.type,
      provider: draft.provider || null,
      environment: draft.environment,
      team: draft.team || null,
      tags: splitList(draft.tags),
      scopes: splitList(draft.scopes),
    };
    try {
      const agent = id
        ? await call(() => api.PATCH("/api/v1/agents/{id}", { params: { path: { id } }, body }))
        : await call(() => api.POST("/api/v1/agents", { body }));
      navigate(`/app/agents/${encodeURIComponent(agent.id)}`);
    } catch (err) {
      if (err instanceof ApiError) {
        setErrors(err.fieldErrors());
        setFormError(err.details.length ? `${err.message} Check the fields marked below.` : err.message);
      } else setFormError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h1>{id ? `Edit ${draft.name || "agent"}` : "Register an agent"}</h1>
      <form onSubmit={submit} noValidate className="narrow">
        <FormError message={formError} />
        <Field id="name" label="Name" value={draft.name} onChange={set("name")} required error={errors.name} />
        <Field id="description" label="Description" value={draft.description} onChange={set("description")} error={errors.description} />
        <Field id="type" label="Type" value={draft.type} onChange={set("type")} hint="e.g. autonomous, assistant, workflow" error={errors.type} />
        <Field id="provider" label="Provider" value={draft.provider} onChange={set("provider")} hint="e.g. openai, anthropic, bedrock" error={errors.provider} />
        <Field id="environment" label="Environment" value={draft.environment} onChange={set("environment")} error={errors.environment} />
        <Field id="team" label="Team" value={draft.team} onChange={set("team")} error={errors.team} />
        <Field id="tags" label="Tags" value={draft.tags} onChange={set("tags")} hint="Separated by commas or spaces." error={errors.tags} />
        <Field id="scopes" label="Scopes" value={draft.scopes} onChange={set("scopes")} hint="What its tokens may do, e.g. runs:write approvals:read." error={errors.scopes} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Saving…" : id ? "Save changes" : "Register agent"}
          </button>
          <Link to={id ? `/app/agents/${encodeURIComponent(id)}` : "/app/agents"} className="button">
            Cancel
          </Link>
        </div>
      </form>
    </>
  );
}

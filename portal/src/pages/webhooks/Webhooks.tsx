import { useState } from "react";
import "../admin.css";
import { api, call, type Schemas } from "../../api/client";
import { ApiError, messageOf } from "../../api/errors";
import { roleAtLeast, useAuth } from "../../auth/AuthContext";
import { Badge } from "../../components/Badge";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Secret } from "../../components/CopyButton";
import { Field, FormError } from "../../components/Field";
import { when } from "../../components/format";
import { Async, Empty } from "../../components/States";
import { useApi } from "../../components/useApi";
import { attemptOutcome, nextRetry, EVENT_TYPES } from "./deliveries";

type Webhook = Schemas["Webhook"];
type EventType = Schemas["WebhookCreate"]["events"][number];

function Deliveries({ hook, refresh }: { hook: Webhook; refresh: number }) {
  const deliveries = useApi(
    () => call(() => api.GET("/api/v1/webhooks/{id}/deliveries", { params: { path: { id: hook.id }, query: { limit: 20 } } })),
    [hook.id, refresh],
  );
  return (
    <div className="admin-section">
      <div className="page-head">
        <h3 id={`deliveries-${hook.id}`}>Deliveries to {hook.url}</h3>
        <button type="button" onClick={deliveries.reload}>
          Refresh
        </button>
      </div>
      <Async value={deliveries} label="Loading deliveries">
        {(page) =>
          page.items.length === 0 ? (
            <Empty title="No deliveries yet.">
              <p>Send a test event to see one.</p>
            </Empty>
          ) : (
            <table className="data" aria-labelledby={`deliveries-${hook.id}`}>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Next retry</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((d) => (
                  <tr key={d.id}>
                    <td className="mono">{d.event_type}</td>
                    <td><Badge value={d.status} /></td>
                    <td>{when(d.created_at)}</td>
                    <td>
                      {d.attempts.length === 0 ? (
                        "none yet"
                      ) : (
                        <ol className="plain" aria-label={`Attempts of ${d.event_type} ${d.id}`}>
                          {d.attempts.map((a) => (
                            <li key={a.attempt}>
                              #{a.attempt} {when(a.at)}: {attemptOutcome(a)}
                            </li>
                          ))}
                        </ol>
                      )}
                    </td>
                    <td>{nextRetry(d)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Async>
    </div>
  );
}

export default function Webhooks() {
  const { role } = useAuth();
  const canWrite = roleAtLeast(role, "admin");
  const hooks = useApi(() => call(() => api.GET("/api/v1/webhooks", { params: { query: { limit: 100 } } })), []);
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [events, setEvents] = useState<EventType[]>([]);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [created, setCreated] = useState<Schemas["WebhookCreated"] | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [refresh, setRefresh] = useState(0);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [busy, setBusy] = useState(false);

  async function create() {
    setBusy(true);
    setError(null);
    setNotice(null);
    setFieldErrors({});
    try {
      setCreated(await call(() => api.POST("/api/v1/webhooks", { body: { url: url.trim(), events, description } })));
      setUrl("");
      setDescription("");
      setEvents([]);
      hooks.reload();
    } catch (err) {
      if (err instanceof ApiError) setFieldErrors(err.fieldErrors());
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  async function test(hook: Webhook) {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const delivery = await call(() => api.POST("/api/v1/webhooks/{id}/test", { params: { path: { id: hook.id } } }));
      setNotice(`A webhook.test event is on its way to ${hook.url} (delivery ${delivery.id}).`);
      setOpen(hook.id);
      setRefresh((n) => n + 1);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  async function remove(hook: Webhook) {
    setBusy(true);
    setError(null);
    try {
      await call(() => api.DELETE("/api/v1/webhooks/{id}", { params: { path: { id: hook.id } } }));
      if (open === hook.id) setOpen(null);
      hooks.reload();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setDeleting(null);
      setBusy(false);
    }
  }

  return (
    <>
      <h1>Webhooks</h1>
      <p className="lead">
        AgentGate POSTs events to your URLs, signed per the Standard Webhooks spec with the subscription's secret, and
        retries failures with a growing delay.
      </p>
      <FormError message={error} />
      {notice && (
        <p className="verified" role="status">
          {notice}
        </p>
      )}
      {created && (
        <div className="issued card admin-section">
          <div className="warning" role="alert">
            ⚠ <strong>Copy the signing secret now: it is shown only once.</strong> Your receiver checks each delivery's
            signature with it.
          </div>
          <Secret label="Signing secret" value={created.secret} />
          <button type="button" onClick={() => setCreated(null)}>
            I have stored it: hide
          </button>
        </div>
      )}
      {canWrite && (
        <form
          className="card admin-section"
          aria-labelledby="new-hook"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <h2 id="new-hook">Add a subscription</h2>
          <Field id="hook-url" label="URL" type="url" required value={url} error={fieldErrors.url} hint="HTTPS; private and metadata addresses are refused." onChange={(e) => setUrl(e.target.value)} />
          <Field id="hook-description" label="Description (optional)" value={description} maxLength={512} error={fieldErrors.description} onChange={(e) => setDescription(e.target.value)} />
          <fieldset className="checks">
            <legend>Event types</legend>
            {EVENT_TYPES.map((type) => (
              <label key={type}>
                <input
                  type="checkbox"
                  checked={events.includes(type)}
                  onChange={(e) => setEvents(e.target.checked ? [...events, type] : events.filter((t) => t !== type))}
                />
                <code>{type}</code>
              </label>
            ))}
          </fieldset>
          {fieldErrors.events && (
            <p className="field-error" role="alert">
              ⚠ {fieldErrors.events}
            </p>
          )}
          <button type="submit" className="primary" disabled={busy || !url.trim() || events.length === 0}>
            Add subscription
          </button>
        </form>
      )}
      <h2>Subscriptions</h2>
      <Async value={hooks} label="Loading webhooks">
        {(page) =>
          page.items.length === 0 ? (
            <Empty title="No subscriptions yet.">{canWrite && <p>Add a URL above to receive events.</p>}</Empty>
          ) : (
            <>
              <table className="data">
                <caption className="visually-hidden">Webhook subscriptions</caption>
                <thead>
                  <tr>
                    <th scope="col">URL</th>
                    <th scope="col">Event types</th>
                    <th scope="col">Status</th>
                    <th scope="col">Created</th>
                    <th scope="col"><span className="visually-hidden">Actions</span></th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((h) => (
                    <tr key={h.id}>
                      <td className="mono wrap">
                        {h.url}
                        {h.description && <div className="muted small">{h.description}</div>}
                      </td>
                      <td>{h.events.map((t) => <span key={t} className="tag">{t}</span>)}</td>
                      <td><Badge value={h.status} /></td>
                      <td>{when(h.created_at)}</td>
                      <td className="actions">
                        <button type="button" aria-expanded={open === h.id} onClick={() => setOpen(open === h.id ? null : h.id)}>
                          {open === h.id ? "Hide deliveries" : "Deliveries"}
                        </button>
                        {canWrite && (
                          <>
                            <button type="button" onClick={() => void test(h)} disabled={busy}>
                              Send test event
                            </button>
                            <button type="button" className="danger" onClick={() => setDeleting(h)}>
                              Delete
                            </button>
                          </>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {page.items.filter((h) => h.id === open).map((h) => (
                <Deliveries key={h.id} hook={h} refresh={refresh} />
              ))}
            </>
          )
        }
      </Async>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this subscription?"
        confirmLabel="Delete subscription"
        busy={busy}
        onCancel={() => setDeleting(null)}
        onConfirm={() => deleting && void remove(deleting)}
      >
        <p>
          <code>{deleting?.url}</code> gets no more events, retries pending included. This cannot be undone: a new
          subscription gets a new secret.
        </p>
      </ConfirmDialog>
    </>
  );
}

import { useCallback, useEffect, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import "../admin.css";
import { api, call, type Tier } from "../../api/client";
import { messageOf } from "../../api/errors";
import { roleAtLeast, useAuth } from "../../auth/AuthContext";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { FormError } from "../../components/Field";
import { count, usd, when } from "../../components/format";
import { Async, Loading } from "../../components/States";
import { useApi } from "../../components/useApi";
import {
  billingNotConfigured,
  checkoutOutcome,
  nextPollDelay,
  upgradeApplied,
  upgradesFrom,
  usageBars,
  type Subscription,
  type Usage,
} from "./billingLogic";

const POLL_LIMIT_MS = 60_000;
// While the usage route still answers with the previous tier: refresh it every 5 s, 24 times at most.
const SETTLE_REFRESH_MS = 5000;
const SETTLE_REFRESHES = 24;

const STATUS_TEXT: Record<Subscription["status"], string> = {
  none: "no subscription (free tier)",
  active: "● active",
  past_due: "⚠ past due",
  canceled: "⊘ canceled",
};

function UsageSection({ usage, tier, settling }: { usage: Usage; tier: Tier | undefined; settling: string | null }) {
  return (
    <section aria-labelledby="usage" className="admin-section">
      <h2 id="usage">Usage today against the {usage.tier} tier's limits</h2>
      {settling && (
        <p className="warning" role="status" data-testid="usage-settling">
          The organisation is on {settling} now; these figures still count against the {usage.tier} tier's limits
          for up to a minute, until the gateway's cached answers expire. They refresh by themselves.
        </p>
      )}
      <p className="muted">
        {when(usage.period.start)} to {when(usage.period.end)}. Runs are kept {usage.retention_days} days.
      </p>
      <ul className="usage-bars">
        {usageBars(usage).map((b, i) => (
          <li key={b.label} className={`usage-bar usage-${b.tone}`}>
            <span className="usage-label" id={`usage-bar-${i}`}>{b.label}</span>
            {b.percent !== null && (
              <div
                className="usage-track"
                role="meter"
                aria-labelledby={`usage-bar-${i}`}
                aria-valuemin={0}
                aria-valuemax={b.limit ?? 0}
                aria-valuenow={Math.min(b.used, b.limit ?? b.used)}
                aria-valuetext={b.note}
              >
                <div className="usage-fill" style={{ width: `${b.percent}%` }} />
              </div>
            )}
            <span data-testid={`usage-${b.label}`}>
              {b.tone === "over" ? "⛔ " : b.tone === "near" ? "⚠ " : ""}
              {b.note}
            </span>
          </li>
        ))}
      </ul>
      {tier && <TierLimits tier={tier} />}
    </section>
  );
}

function TierLimits({ tier }: { tier: Tier }) {
  return (
    <>
      <h3>The {tier.name} tier's limits</h3>
      <dl className="facts" aria-label={`The ${tier.name} tier's limits`}>
        <dt>Daily API calls</dt>
        <dd data-testid="limit-quota">{count(tier.daily_quota)}</dd>
        <dt>Agents</dt>
        <dd data-testid="limit-agents">{count(tier.agent_limit)}</dd>
        <dt>Throttle</dt>
        <dd>
          {tier.rate_per_second} requests a second, bursts of {tier.burst}
        </dd>
        <dt>Retention</dt>
        <dd>{tier.retention_days} days</dd>
      </dl>
    </>
  );
}

/** Back from Stripe's checkout: wait for its event to move the tier, then say so. */
function CheckoutReturn({ outcome, onApplied }: { outcome: "success" | "canceled"; onApplied: () => void }) {
  const [state, setState] = useState<{ sub: Subscription | null; waiting: boolean; error: string | null }>({ sub: null, waiting: outcome === "success", error: null });
  useEffect(() => {
    if (outcome !== "success") return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const started = Date.now();
    const poll = async (delay: number | null) => {
      try {
        const sub = await call(() => api.GET("/api/v1/billing/subscription"));
        if (!live) return;
        if (upgradeApplied(sub)) {
          setState({ sub, waiting: false, error: null });
          onApplied();
          return;
        }
      } catch (err) {
        if (!live) return;
        setState({ sub: null, waiting: false, error: messageOf(err) });
        return;
      }
      if (Date.now() - started > POLL_LIMIT_MS) {
        setState({ sub: null, waiting: false, error: "Stripe has not confirmed the payment yet. Reload this page in a minute." });
        return;
      }
      const next = nextPollDelay(delay);
      timer = setTimeout(() => void poll(next), next);
    };
    void poll(null);
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [outcome, onApplied]);

  if (outcome === "canceled") {
    return (
      <div className="warning admin-section" role="status">
        Checkout cancelled: nothing was charged and the tier is unchanged.
      </div>
    );
  }
  if (state.error) return <FormError message={state.error} />;
  if (state.waiting || !state.sub) return <Loading label="Payment received: waiting for Stripe to confirm the subscription" />;
  return (
    <div className="verified admin-section" role="status" data-testid="upgrade-done">
      <p className="state-title">✓ Upgrade complete: you are on {state.sub.tier}.</p>
      <p>The new tier's limits apply; the usage figures below follow within a minute.</p>
    </div>
  );
}

export function OwnerBilling({ sub, tiers }: { sub: Subscription; tiers: Tier[] }) {
  const [error, setError] = useState<string | null>(null);
  const [notConfigured, setNotConfigured] = useState(false);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState<Tier | null>(null);
  const upgrades = upgradesFrom(sub.tier, tiers);
  const subscribed = (sub.status === "active" || sub.status === "past_due") && Boolean(sub.stripe_subscription_id);

  async function go(send: () => Promise<{ url: string }>) {
    setBusy(true);
    setError(null);
    try {
      const { url } = await send();
      window.location.assign(url);
    } catch (err) {
      if (billingNotConfigured(err)) setNotConfigured(true);
      else setError(messageOf(err));
      setBusy(false);
      setConfirming(null);
    }
  }

  return (
    <section aria-labelledby="plan" className="admin-section">
      <h2 id="plan">Plan</h2>
      {sub.status === "past_due" && (
        <div className="alert-danger" role="alert">
          ⚠ <strong>The last payment failed.</strong> The {sub.tier} tier stays on for now; update the payment method in
          the customer portal before Stripe gives up and the organisation returns to free.
        </div>
      )}
      {notConfigured && (
        <div className="warning" role="alert" data-testid="billing-not-configured">
          Billing is not configured on this deployment (no Stripe keys or prices): upgrades and the customer portal are
          unavailable. Your tier and usage still show here.
        </div>
      )}
      <FormError message={error} />
      <dl className="facts">
        <dt>Tier</dt>
        <dd data-testid="current-tier">{sub.tier}</dd>
        <dt>Subscription</dt>
        <dd data-testid="subscription-status">{STATUS_TEXT[sub.status]}</dd>
        {sub.current_period_end && (
          <>
            <dt>{sub.cancel_at_period_end ? "Ends on" : "Renews on"}</dt>
            <dd>{when(sub.current_period_end)}</dd>
          </>
        )}
      </dl>
      {sub.cancel_at_period_end && <p className="warning">The subscription is cancelled and ends at the end of this period; the organisation then returns to free.</p>}
      {sub.stripe_customer_id && (
        <p>
          <button type="button" onClick={() => void go(() => call(() => api.POST("/api/v1/billing/portal")))} disabled={busy}>
            Open the customer portal
          </button>{" "}
          <span className="muted">Stripe's page: payment method, invoices, change or cancel the plan.</span>
        </p>
      )}
      {upgrades.length > 0 && !subscribed && (
        <>
          <h3>Upgrade</h3>
          <div className="upgrade-cards">
            {upgrades.map((t) => (
              <div key={t.name} className="card">
                <h4>{t.name}</h4>
                <p>{usd(t.price_usd_month)} a month</p>
                <ul>
                  <li>{count(t.daily_quota)} API calls a day</li>
                  <li>{count(t.agent_limit)} agents</li>
                  <li>{t.retention_days} days of runs</li>
                </ul>
                <button type="button" className="primary" disabled={busy} onClick={() => setConfirming(t)}>
                  Upgrade to {t.name}
                </button>
              </div>
            ))}
          </div>
        </>
      )}
      {subscribed && upgrades.length > 0 && <p className="muted">To move to a higher tier, change the plan in the customer portal.</p>}
      <ConfirmDialog
        open={confirming !== null}
        title={`Upgrade to ${confirming?.name ?? ""}?`}
        confirmLabel="Go to payment"
        busy={busy}
        onCancel={() => setConfirming(null)}
        onConfirm={() => confirming && void go(() => call(() => api.POST("/api/v1/billing/checkout", { body: { tier: confirming.name as "pro" | "enterprise" } })))}
      >
        <p>
          Stripe's checkout opens to subscribe this organisation to {confirming?.name} for {usd(confirming?.price_usd_month)}{" "}
          a month. The new tier applies as soon as the payment succeeds; downgrades go through support.
        </p>
      </ConfirmDialog>
    </section>
  );
}

export default function Billing() {
  const { role } = useAuth();
  const [params] = useSearchParams();
  const outcome = checkoutOutcome(params);
  const isOwner = roleAtLeast(role, "owner");
  const [tick, setTick] = useState(0);
  const usage = useApi(() => call(() => api.GET("/api/v1/usage")), [tick]);
  const tiers = useApi(() => call(() => api.GET("/api/v1/tiers")), []);
  const sub = useApi(async () => (isOwner ? call(() => api.GET("/api/v1/billing/subscription")) : null), [isOwner, tick]);
  const applied = useCallback(() => setTick((t) => t + 1), []);
  // The subscription reads the tenant's tier; the usage route reads it from the authorizer's answer,
  // which the gateway may cache for a minute after a change. The tier's limits follow the former.
  const tierName = sub.data?.tier ?? usage.data?.tier;
  const current = tiers.data?.items.find((t) => t.name === tierName);
  const settling = sub.data && usage.data && sub.data.tier !== usage.data.tier ? sub.data.tier : null;
  const refreshes = useRef(0);
  const reloadUsage = usage.reload;
  useEffect(() => {
    if (!settling || refreshes.current >= SETTLE_REFRESHES) return;
    const timer = setTimeout(() => {
      refreshes.current += 1;
      reloadUsage();
    }, SETTLE_REFRESH_MS);
    return () => clearTimeout(timer);
  }, [settling, usage.data, reloadUsage]);

  return (
    <>
      <h1>Billing and usage</h1>
      {outcome && isOwner && <CheckoutReturn outcome={outcome} onApplied={applied} />}
      {role === null ? (
        <Loading />
      ) : isOwner ? (
        <Async value={sub} label="Loading the subscription">
          {(s) => (s ? <OwnerBilling sub={s} tiers={tiers.data?.items ?? []} /> : null)}
        </Async>
      ) : (
        <p className="muted" data-testid="owner-only">
          Billing (the plan, upgrades, invoices) is managed by the organisation's owner. Usage shows below.
        </p>
      )}
      <Async value={usage} label="Loading usage">
        {(u) => <UsageSection usage={u} tier={current} settling={settling} />}
      </Async>
    </>
  );
}

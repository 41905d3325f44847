import { lazy, Suspense, useEffect, useState, type ReactNode } from "react";
import { BrowserRouter, Link, Navigate, NavLink, Outlet, Route, Routes, useLocation, useNavigate } from "react-router";
import { AuthProvider, useAuth } from "./auth/AuthContext";
import { Loading } from "./components/States";
import { Landing } from "./pages/public/Landing";
import { SignIn } from "./pages/auth/SignIn";
import { SignUp } from "./pages/auth/SignUp";
import { BillingReturn } from "./pages/billing/BillingReturn";

// Everything behind sign-in, the charts and the API explorer load on demand.
const Pricing = lazy(() => import("./pages/public/Pricing"));
const Explorer = lazy(() => import("./pages/public/Explorer"));
const Docs = lazy(() => import("./pages/public/Docs"));
const Marketplace = lazy(() => import("./pages/public/Marketplace"));
const Wizard = lazy(() => import("./pages/onboarding/Wizard"));
const Home = lazy(() => import("./pages/Home"));
const AgentList = lazy(() => import("./pages/agents/AgentList"));
const AgentDetail = lazy(() => import("./pages/agents/AgentDetail"));
const AgentForm = lazy(() => import("./pages/agents/AgentForm"));
const RunList = lazy(() => import("./pages/runs/RunList"));
const RunDetail = lazy(() => import("./pages/runs/RunDetail"));
const Costs = lazy(() => import("./pages/costs/Costs"));
const Analytics = lazy(() => import("./pages/costs/Analytics"));
// Governance: approvals, policies, budgets, the kill switch.
const Approvals = lazy(() => import("./pages/approvals/Approvals"));
const PolicyList = lazy(() => import("./pages/policies/PolicyList"));
const PolicyForm = lazy(() => import("./pages/policies/PolicyForm"));
const Budgets = lazy(() => import("./pages/budgets/Budgets"));
const BudgetForm = lazy(() => import("./pages/budgets/BudgetForm"));
const KillSwitch = lazy(() => import("./pages/emergency/KillSwitch").then((m) => ({ default: m.KillSwitch })));
// Organisation administration: audit, webhooks, API keys, members, billing, settings.
const AuditLog = lazy(() => import("./pages/audit/AuditLog"));
const Webhooks = lazy(() => import("./pages/webhooks/Webhooks"));
const ApiKeys = lazy(() => import("./pages/apikeys/ApiKeys"));
const Members = lazy(() => import("./pages/members/Members"));
const Billing = lazy(() => import("./pages/billing/Billing"));
const OrgSettings = lazy(() => import("./pages/settings/OrgSettings"));
// Federation and compliance: OIDC trust policies, the compliance report.
const TrustPolicies = lazy(() => import("./pages/federation/TrustPolicies"));
const Compliance = lazy(() => import("./pages/compliance/Compliance"));

/** The marketplace exists once its API answers; until then neither the link nor the page show. */
export function useMarketplaceAvailable(): boolean {
  const [available, setAvailable] = useState(false);
  useEffect(() => {
    let live = true;
    fetch("/api/v1/marketplace/agents?limit=1")
      .then((r) => live && setAvailable(r.status === 200))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return available;
}

function Header() {
  const { status, user, signOut } = useAuth();
  const marketplace = useMarketplaceAvailable();
  const navigate = useNavigate();
  return (
    <header className="topbar">
      <Link to="/" className="brand" aria-label="AgentGate home">
        ◆ AgentGate
      </Link>
      <nav aria-label="Main">
        <NavLink to="/pricing">Pricing</NavLink>
        <NavLink to="/docs/quickstart">Docs</NavLink>
        <NavLink to="/explorer">API explorer</NavLink>
        {marketplace && <NavLink to="/marketplace">Marketplace</NavLink>}
      </nav>
      <div className="topbar-user">
        {status === "signed-in" ? (
          <>
            <NavLink to="/app">Console</NavLink>
            <span className="muted" aria-label="Signed in as">
              {user?.email}
            </span>
            <button
              type="button"
              onClick={async () => {
                await signOut();
                navigate("/signin");
              }}
            >
              Sign out
            </button>
          </>
        ) : (
          <>
            <NavLink to="/signin">Sign in</NavLink>
            <Link to="/signup" className="button primary">
              Sign up
            </Link>
          </>
        )}
      </div>
    </header>
  );
}

function Shell() {
  const location = useLocation();
  useEffect(() => {
    // Move focus to the new page's heading so keyboard and screen-reader users know it changed.
    const heading = document.querySelector<HTMLElement>("main h1");
    heading?.setAttribute("tabindex", "-1");
    heading?.focus({ preventScroll: true });
  }, [location.pathname]);
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <Header />
      <Suspense fallback={<main id="main" className="page"><Loading /></main>}>
        <Outlet />
      </Suspense>
    </>
  );
}

function RequireAuth({ children }: { children: ReactNode }) {
  const { status } = useAuth();
  const location = useLocation();
  if (status === "restoring") return <main id="main" className="page"><Loading label="Restoring your session" /></main>;
  if (status === "signed-out") {
    return <Navigate to={`/signin?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  }
  return <>{children}</>;
}

function ConsoleLayout() {
  return (
    <RequireAuth>
      <div className="console">
        <nav className="sidebar" aria-label="Console">
          <NavLink to="/app" end>
            Home
          </NavLink>
          <NavLink to="/app/agents">Agents</NavLink>
          <NavLink to="/app/runs">Runs</NavLink>
          <NavLink to="/app/costs">Costs</NavLink>
          <NavLink to="/app/analytics">Analytics</NavLink>
          {/* Governance */}
          <NavLink to="/app/approvals">Approvals</NavLink>
          <NavLink to="/app/policies">Policies</NavLink>
          <NavLink to="/app/budgets">Budgets</NavLink>
          {/* Organisation administration */}
          <NavLink to="/app/audit">Audit log</NavLink>
          <NavLink to="/app/webhooks">Webhooks</NavLink>
          <NavLink to="/app/api-keys">API keys</NavLink>
          <NavLink to="/app/members">Members</NavLink>
          <NavLink to="/app/billing">Billing</NavLink>
          <NavLink to="/app/settings">Settings</NavLink>
          {/* Federation and compliance */}
          <NavLink to="/app/trust-policies">Trust policies</NavLink>
          <NavLink to="/app/compliance">Compliance</NavLink>
          <NavLink to="/onboarding">Set up an agent</NavLink>
        </nav>
        <main id="main" className="page">
          <Suspense fallback={null}>
            <KillSwitch />
          </Suspense>
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        </main>
      </div>
    </RequireAuth>
  );
}

function PublicLayout() {
  return (
    <main id="main" className="page public">
      <Suspense fallback={<Loading />}>
        <Outlet />
      </Suspense>
    </main>
  );
}

function NotFound() {
  return (
    <>
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link to="/">Go to the start page</Link>.
      </p>
    </>
  );
}

export function App() {
  return (
    <AuthProvider>
      <BrowserRouter>
        <Routes>
          <Route element={<Shell />}>
            <Route element={<PublicLayout />}>
              <Route index element={<Landing />} />
              <Route path="pricing" element={<Pricing />} />
              <Route path="explorer" element={<Explorer />} />
              <Route path="docs" element={<Navigate to="/docs/quickstart" replace />} />
              <Route path="docs/:page" element={<Docs />} />
              <Route path="marketplace" element={<Marketplace />} />
              <Route path="signin" element={<SignIn />} />
              <Route path="signup" element={<SignUp />} />
              {/* Stripe's checkout and customer portal return here (the API's success and return URLs). */}
              <Route path="billing" element={<BillingReturn />} />
              <Route
                path="onboarding"
                element={
                  <RequireAuth>
                    <Wizard />
                  </RequireAuth>
                }
              />
              <Route path="*" element={<NotFound />} />
            </Route>
            <Route path="app" element={<ConsoleLayout />}>
              <Route index element={<Home />} />
              <Route path="agents" element={<AgentList />} />
              <Route path="agents/new" element={<AgentForm />} />
              <Route path="agents/:id" element={<AgentDetail />} />
              <Route path="agents/:id/edit" element={<AgentForm />} />
              <Route path="runs" element={<RunList />} />
              <Route path="runs/:id" element={<RunDetail />} />
              <Route path="costs" element={<Costs />} />
              <Route path="analytics" element={<Analytics />} />
              {/* Governance */}
              <Route path="approvals" element={<Approvals />} />
              <Route path="policies" element={<PolicyList />} />
              <Route path="policies/new" element={<PolicyForm />} />
              <Route path="policies/:id/edit" element={<PolicyForm />} />
              <Route path="budgets" element={<Budgets />} />
              <Route path="budgets/new" element={<BudgetForm />} />
              <Route path="budgets/:id/edit" element={<BudgetForm />} />
                  {/* Organisation administration */}
              <Route path="audit" element={<AuditLog />} />
              <Route path="webhooks" element={<Webhooks />} />
              <Route path="api-keys" element={<ApiKeys />} />
              <Route path="members" element={<Members />} />
              <Route path="billing" element={<Billing />} />
              <Route path="settings" element={<OrgSettings />} />
              {/* Federation and compliance */}
              <Route path="trust-policies" element={<TrustPolicies />} />
              <Route path="compliance" element={<Compliance />} />
              <Route path="*" element={<NotFound />} />
            </Route>
          </Route>
        </Routes>
      </BrowserRouter>
    </AuthProvider>
  );
}

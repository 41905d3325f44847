import { Navigate, useLocation } from "react-router";

/** Stripe returns to `/billing?checkout=...` (the API's success and cancel URLs): the billing page is in the console. */
export function BillingReturn() {
  const { search } = useLocation();
  return <Navigate to={`/app/billing${search}`} replace />;
}

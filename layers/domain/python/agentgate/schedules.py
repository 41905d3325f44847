"""The timers: defined once, EventBridge rules in CDK, fired by the local stack's scheduler."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Schedule:
    name: str
    handler: str  # module under functions/
    expression: str  # EventBridge schedule expression: "rate(1 hour)" or "cron(...)"
    description: str
    grants: frozenset[str] = frozenset({"table:read", "table:write"})


SCHEDULES: tuple[Schedule, ...] = (
    Schedule(
        "audit-head-signing",
        "audit_sign_heads",
        "rate(1 hour)",
        "Sign each tenant's audit chain head with KMS, so a truncated chain is detected",
        grants=frozenset({"table:read", "table:write", "kms:sign"}),
    ),
    Schedule(
        "token-signing-key-rotation",
        "rotate_signing_key",
        "rate(15 minutes)",
        "Make the first token-signing key, or rotate it once it is SIGNING_KEY_ROTATION_DAYS (30) old",
        grants=frozenset({"table:read", "table:write", "kms:rotate-signing-key"}),
    ),
    # --- runs, costs, budgets, analytics -------------------------------------------------------------
    Schedule(
        "analytics-daily-rollup",
        "analytics_rollup",
        "cron(15 0 * * ? *)",
        "Fold yesterday's hourly analytics counters into one daily rollup per tenant, "
        "and send each tenant's usage to the Stripe meters",
        grants=frozenset({"table:read", "table:write", "stripe"}),
    ),
    Schedule(
        "budget-reservations-release",
        "budget_reservations_release",
        "rate(1 minute)",
        "Release the budget reservations of /authorize that no run settled within their time",
    ),
)

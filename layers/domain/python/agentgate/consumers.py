"""The stream consumers: defined once, wired by CDK (event source mappings) and the local stack (pollers)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StreamConsumer:
    name: str
    stream: str  # "runs" or "analytics": a key of STREAMS
    handler: str  # module under functions/
    batch_size: int = 100
    max_batching_window_seconds: int = 1
    retry_attempts: int = 3
    bisect_on_error: bool = True
    grants: frozenset[str] = frozenset({"table:read", "table:write"})


# Stream name (settings attribute) and shard count per stream.
STREAMS: dict[str, int] = {"runs": 1, "analytics": 1}

# Grant for the consumers that dead-letter poison records to the runs dead-letter queue.
RUNS_DEAD_LETTER = "queue:runs-dead-letter"

CONSUMERS: tuple[StreamConsumer, ...] = (
    # --- runs, costs, budgets, analytics -------------------------------------------------------------
    StreamConsumer(
        name="runs",
        stream="runs",
        handler="runs_consumer",
        batch_size=100,
        # a budget's auto-pause flushes the authorizer cache, as a pause by hand does
        grants=frozenset(
            {"table:read", "table:write", RUNS_DEAD_LETTER, "apigateway:flush-authorizer-cache"}
        ),
    ),
    StreamConsumer(
        name="analytics",
        stream="analytics",
        handler="analytics_consumer",
        batch_size=500,
        grants=frozenset({"table:read", "table:write", RUNS_DEAD_LETTER}),
    ),
)


@dataclass(frozen=True)
class QueueConsumer:
    """An SQS queue and the function that drains it (retries with backoff, then a dead-letter queue)."""

    name: str
    handler: str  # module under functions/
    url_setting: str  # settings attribute holding the queue URL, e.g. "webhook_queue_url"
    batch_size: int = 10
    max_receive_count: int = 5
    visibility_timeout_seconds: int = 60
    grants: frozenset[str] = frozenset({"table:read", "table:write"})


QUEUE_CONSUMERS: tuple[QueueConsumer, ...] = (
    # --- governance: outbound webhooks (one message per delivery; backoff by visibility) --------
    QueueConsumer(
        name="webhooks",
        handler="webhook_worker",
        url_setting="webhook_queue_url",
        batch_size=10,
        max_receive_count=6,
        visibility_timeout_seconds=60,
        grants=frozenset({"table:read", "table:write", "queue:webhooks"}),
    ),
    # --- billing: Stripe's events, accepted by the webhook, applied here (Stripe reads, plan moves) ---
    QueueConsumer(
        name="billing",
        handler="billing_worker",
        url_setting="billing_queue_url",
        batch_size=10,
        max_receive_count=8,
        visibility_timeout_seconds=60,
        grants=frozenset({"table:read", "table:write", "queue:webhooks", "apigateway:api-keys", "stripe"}),
    ),
)

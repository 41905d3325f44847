"""EventBridge timer after midnight UTC: yesterday's analytics rolled up per tenant."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from agentgate.platform.observability import logger
from agentgate.services import analytics


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    # A scheduled event's "time" is when the rule fired; the day before is the one to roll up.
    fired = datetime.fromisoformat(
        str(event.get("time") or datetime.now(UTC).isoformat()).replace("Z", "+00:00")
    )
    day: date = (fired.astimezone(UTC) - timedelta(days=1)).date()
    built = analytics.rollup(day)
    logger.info("analytics rollup", extra={"day": day.isoformat(), "tenants": built})
    return {"day": day.isoformat(), "tenants": built}

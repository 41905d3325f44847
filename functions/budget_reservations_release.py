"""EventBridge timer: budget reservations that no run settled in time are released."""

from datetime import UTC, datetime
from typing import Any

from agentgate.platform.observability import logger
from agentgate.services import reservations


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    # A scheduled event's "time" is when the rule fired: reservations due by then are released.
    fired = datetime.fromisoformat(
        str(event.get("time") or datetime.now(UTC).isoformat()).replace("Z", "+00:00")
    )
    released = reservations.release_expired(fired.astimezone(UTC))
    return {"released": released}

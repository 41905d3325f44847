"""The REQUEST authorizer in front of every non-public route (see agentgate.services.authorizer)."""

from typing import Any

from agentgate.platform.observability import logger
from agentgate.services.authorizer import Unauthenticated, authorize


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        return authorize(event)
    except Unauthenticated as exc:
        logger.info("credential refused", extra={"reason": str(exc)})
        # API Gateway turns exactly this message into a 401 (UNAUTHORIZED gateway response).
        raise Exception("Unauthorized") from None

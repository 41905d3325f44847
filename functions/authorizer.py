"""The REQUEST authorizer in front of every non-public route (see agentgate.services.authorizer)."""

from typing import Any

from agentgate.platform.observability import logger
from agentgate.services.authorizer import Unauthenticated, authorize


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    # The request id on every log line, without Powertools' inject_lambda_context: on the hottest path
    # it cost 13 us of an answer's ~150 (it rebuilds the formatter's keys per invocation); this
    # function appends no other keys, so there is no state to clear between invocations.
    logger.append_keys(function_request_id=getattr(context, "aws_request_id", None))
    try:
        return authorize(event)
    except Unauthenticated as exc:
        logger.info("credential refused", extra={"reason": str(exc)})
        # API Gateway turns exactly this message into a 401 (UNAUTHORIZED gateway response).
        raise Exception("Unauthorized") from None

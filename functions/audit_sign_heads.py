"""EventBridge timer: sign every tenant's audit chain head that moved since its last signature."""

from typing import Any

from agentgate.platform.observability import logger
from agentgate.services import audit_signing


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    return {"signed": audit_signing.sign_all_heads()}

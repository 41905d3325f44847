"""Approval state machine task: a person decided; record it in the audit chain and emit approval.decided."""

from typing import Any

from agentgate.platform.observability import logger
from agentgate.services import approvals


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    logger.append_keys(tenant_id=event["tenant_id"], approval_id=event["approval_id"])
    approvals.record_decision(event["tenant_id"], event["approval_id"])
    return {"approval_id": event["approval_id"]}

"""Approval state machine task: a wait began (initial or escalated); keep its token, notify approvers."""

from typing import Any

from agentgate.platform.observability import logger
from agentgate.services import approvals


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    logger.append_keys(tenant_id=event["tenant_id"], approval_id=event["approval_id"])
    approvals.record_wait(event["tenant_id"], event["approval_id"], event["stage"], event["task_token"])
    return {"approval_id": event["approval_id"], "stage": event["stage"]}

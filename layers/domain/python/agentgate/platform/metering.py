"""Metering: every API call a tenant makes through a route's function is put on the analytics stream.

Why here and not API Gateway's usage-plan counts: those exist only in AWS (GetUsage), count per
usage-plan key without the route or the answer's status, and the local gateway would need its own
copy. Every route function runs ``make_handler``, in AWS and on the local stack alike, so one
record per call here is counted by the same analytics consumer (once per record id) into the same
per-tenant, per-UTC-hour counters that ``GET /api/v1/usage`` sums for today. Requests API Gateway
refuses before any function runs (401 at the authorizer, 429 over the throttle or quota) are not
calls the tenant was served and are not counted. Recording is one Kinesis PutRecord after the
answer is built; a lost record is logged, never the caller's failure.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from agentgate.platform.aws import client
from agentgate.platform.observability import logger
from agentgate.platform.settings import get_settings
from agentgate.platform.tenancy import Caller, context_from_authorizer

API_CALL = "api_call"


def analytics_record(tenant_id: str, kind: str, dims: dict[str, Any]) -> dict[str, Any]:
    """An analytics record as the stream carries it; its id is what the consumer counts once."""
    return {
        "id": uuid.uuid4().hex,
        "tenant_id": tenant_id,
        "kind": kind,
        "at": datetime.now(UTC).isoformat(),
        "dims": dims,
    }


def put_analytics_record(tenant_id: str, kind: str, dims: dict[str, Any]) -> None:
    """One record on the analytics stream; the analytics consumer counts it once."""
    payload = analytics_record(tenant_id, kind, dims)
    try:
        client("kinesis").put_record(
            StreamName=get_settings().analytics_stream,
            Data=json.dumps(payload, default=str).encode(),
            PartitionKey=tenant_id,
        )
    except (ClientError, BotoCoreError) as exc:
        logger.warning("analytics record lost", extra={"kind": kind, "error": type(exc).__name__})


def meter_api_call(event: dict[str, Any], result: Any) -> None:
    """Count the call for the tenant the authorizer named (public calls have none and are not metered)."""
    if not isinstance(event, dict) or "httpMethod" not in event:
        return  # not an API Gateway request (a direct invocation)
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    ctx = context_from_authorizer(authorizer) if authorizer else None
    if ctx is None:
        return
    status = result.get("statusCode") if isinstance(result, dict) else None
    principal = ctx.principal
    put_analytics_record(
        ctx.tenant_id,
        API_CALL,
        {
            "route": f"{event.get('httpMethod')} {event.get('resource')}",
            "status": status,
            "agent_id": principal.agent_id or (principal.id if principal.kind is Caller.AGENT else None),
            "caller": principal.kind.value,
        },
    )

"""Flushing API Gateway's authorizer cache, so a pause reaches tokens already in use within seconds.

API Gateway keeps each authorizer answer (Allow included) for the authorizer's TTL, 60 s by
default, per ``Authorization`` header. A pause, a team/tag/tenant kill switch and a budget's
auto-pause call ``flush_authorizer_cache`` once the new status is stored: the stage's cached answers
are dropped (``FlushStageAuthorizersCache``), so the next request of every credential reaches the
authorizer again, which then reads the new status (its own state cache holds it at most
``agentgate.auth.state.STATE_CACHE_SECONDS``). The flush covers every tenant of the stage: each
active credential's next request costs one authorizer invocation again (docs/authorizer.md).

A failed flush is logged, never raised: the pause itself is stored, and the cached answers still
expire within the TTL.
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from agentgate.platform.aws import client
from agentgate.platform.observability import logger
from agentgate.platform.settings import get_settings


def flush_authorizer_cache(reason: str) -> bool:
    """Drop the stage's cached authorizer answers; False (and an error logged) when that failed."""
    settings = get_settings()
    if not settings.rest_api_id:
        logger.error("authorizer cache not flushed: REST_API_ID is not set", extra={"reason": reason})
        return False
    try:
        client("apigateway").flush_stage_authorizers_cache(
            restApiId=settings.rest_api_id, stageName=settings.api_stage
        )
    except (ClientError, BotoCoreError) as exc:
        logger.error(
            "authorizer cache flush failed", extra={"reason": reason, "error": f"{type(exc).__name__}: {exc}"}
        )
        return False
    logger.info("authorizer cache flushed", extra={"reason": reason})
    return True

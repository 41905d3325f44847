"""EventBridge timer: make the first token-signing key, or rotate it once it is due.

Every 15 minutes (``agentgate.schedules``): ``rotate_if_due`` makes the first key of the
deployment's signing mode (so within minutes of the first deploy tokens are signed in process),
a key of a newly chosen mode, or rotates a key once it is ``SIGNING_KEY_ROTATION_DAYS`` old.
``{"rotate": true}`` (an operator's invocation) rotates now.
"""

from dataclasses import asdict
from typing import Any

from agentgate.auth.rotation import rotate_if_due, rotate_signing_key
from agentgate.platform.observability import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any] | None, context: Any) -> dict[str, Any]:
    rotation = rotate_signing_key() if (event or {}).get("rotate") is True else rotate_if_due()
    if rotation is None:
        return {"rotated": False}
    logger.info("signing key rotated", extra={"kid": rotation.kid, "kind": rotation.kind})
    return {"rotated": True, **asdict(rotation)}

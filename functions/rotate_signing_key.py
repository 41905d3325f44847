"""EventBridge timer (and the deploy's trigger): rotate the token-signing key.

The scheduled event rotates; ``{"ensure": true}`` (sent at deploy) only makes a key when none of the
deployment's signing mode exists yet, so re-running a deploy does not rotate.
"""

from dataclasses import asdict
from typing import Any

from agentgate.auth.rotation import ensure_signing_key, rotate_signing_key
from agentgate.platform.observability import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    rotation = ensure_signing_key() if (event or {}).get("ensure") is True else rotate_signing_key()
    if rotation is None:
        return {"rotated": False}
    logger.info("signing key rotated", extra={"kid": rotation.kid, "kind": rotation.kind})
    return {"rotated": True, **asdict(rotation)}

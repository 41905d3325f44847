"""API Gateway's control plane as the local gateway answers it: the authorizer cache flush.

API Gateway's ``FlushStageAuthorizersCache`` (``DELETE /restapis/{id}/stages/{stage}/cache/authorizers``)
drops the stage's cached authorizer answers; a pause calls it (``agentgate.platform.gateway_cache``).
moto has no authorizer cache to flush (and no such call), and the cache lives in this gateway,
so the local stack points the functions' API Gateway client here (``AWS_ENDPOINT_URL_API_GATEWAY``):
this module answers the flush itself and forwards every other API Gateway call (API keys, usage
plans) to moto unchanged. A control-plane request is one signed (SigV4) for the ``apigateway``
service; the product's routes never are.
"""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Callable
from urllib.parse import urlsplit

SIGNED_FOR_APIGATEWAY = re.compile(r"^AWS4-HMAC-SHA256 Credential=[^/]+/[^/]+/[^/]+/apigateway/aws4_request")
FLUSH_PATH = re.compile(r"^/restapis/(?P<api>[^/]+)/stages/(?P<stage>[^/]+)/cache/authorizers/?$")
_HOP_BY_HOP = {"host", "content-length", "connection", "transfer-encoding", "keep-alive"}


def is_control_plane(headers: list[tuple[str, str]]) -> bool:
    authorization = next((v for k, v in headers if k.lower() == "authorization"), "")
    return bool(SIGNED_FOR_APIGATEWAY.match(authorization))


class ControlPlane:
    """Answers the flush for this gateway's API and stage; forwards the rest to ``upstream`` (moto)."""

    def __init__(self, *, api_id: str, stage: str, flush: Callable[[], int], upstream: str | None) -> None:
        self.api_id = api_id
        self.stage = stage
        self._flush = flush
        self.upstream = upstream
        self.flushes = 0

    def handle(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes, str]:
        """(status, headers, body, log note)."""
        path = urlsplit(target).path
        match = FLUSH_PATH.match(path)
        if match is not None and method == "DELETE":
            if (match["api"], match["stage"]) != (self.api_id, self.stage):
                error = {"message": f"Invalid stage identifier specified: {match['api']}/{match['stage']}"}
                return 404, [("x-amzn-ErrorType", "NotFoundException")], json.dumps(error).encode(), "flush"
            dropped = self._flush()
            self.flushes += 1
            return 202, [], b"", f"authorizer cache flushed ({dropped} answers)"
        if self.upstream is None:
            error = {"message": "No API Gateway control plane behind this gateway."}
            return 404, [("x-amzn-ErrorType", "NotFoundException")], json.dumps(error).encode(), "no upstream"
        return self._forward(method, target, headers, body)

    def _forward(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes, str]:
        assert self.upstream is not None
        parts = urlsplit(self.upstream)
        connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
        try:
            forwarded = {k: v for k, v in headers if k.lower() not in _HOP_BY_HOP}
            connection.request(method, target, body=body or None, headers=forwarded)
            response = connection.getresponse()
            payload = response.read()
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP]
            return response.status, kept, payload, "apigateway -> moto"
        finally:
            connection.close()

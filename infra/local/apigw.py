"""API Gateway REST (v1) proxy events and Lambda contexts, as API Gateway builds them.

The local gateway and the integration tests both use these, so handlers see the
same event shape locally, in tests and on AWS.
"""

from __future__ import annotations

import base64
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

ACCOUNT_ID = "123456789012"
STAGE = "v1"


def rest_event(
    method: str,
    resource: str,
    path: str,
    *,
    body: bytes | str | None = None,
    headers: dict[str, str] | None = None,
    query: str = "",
    path_parameters: dict[str, str] | None = None,
    authorizer: dict[str, Any] | None = None,
    source_ip: str = "127.0.0.1",
    api_id: str = "local",
    multi_value_headers: dict[str, list[str]] | None = None,
    api_key: str | None = None,
) -> dict[str, Any]:
    headers = dict(headers or {})
    multi_headers = multi_value_headers or {k: [v] for k, v in headers.items()}
    if isinstance(body, bytes):
        try:
            text: str | None = body.decode("utf-8")
            is_base64 = False
        except UnicodeDecodeError:
            text, is_base64 = base64.b64encode(body).decode(), True
    else:
        text, is_base64 = body, False
    pairs = parse_qsl(query, keep_blank_values=True)
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for key, value in pairs:
        single[key] = value
        multi.setdefault(key, []).append(value)
    now = time.time()
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method.upper(),
        "headers": headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": single or None,
        "multiValueQueryStringParameters": multi or None,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method.upper(),
            "path": f"/{STAGE}{path}",
            "stage": STAGE,
            "accountId": ACCOUNT_ID,
            "apiId": api_id,
            "protocol": "HTTP/1.1",
            "requestId": str(uuid.uuid4()),
            "extendedRequestId": str(uuid.uuid4()),
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "requestTimeEpoch": int(now * 1000),
            "identity": {
                "apiKey": api_key,
                "sourceIp": source_ip,
                "userAgent": headers.get("User-Agent", headers.get("user-agent")),
            },
            "authorizer": authorizer,
        },
        "body": text,
        "isBase64Encoded": is_base64,
    }


def authorizer_request_event(
    method: str,
    resource: str,
    path: str,
    headers: dict[str, str],
    query: str = "",
    path_parameters: dict[str, str] | None = None,
    api_id: str = "local",
) -> dict[str, Any]:
    """The event a REQUEST authorizer receives."""
    proxy = rest_event(
        method, resource, path, headers=headers, query=query, path_parameters=path_parameters, api_id=api_id
    )
    return {
        "type": "REQUEST",
        "methodArn": f"arn:aws:execute-api:us-east-1:{ACCOUNT_ID}:{api_id}/{STAGE}/{method.upper()}{path}",
        "resource": resource,
        "path": path,
        "httpMethod": method.upper(),
        "headers": proxy["headers"] or {},
        "multiValueHeaders": proxy["multiValueHeaders"] or {},
        "queryStringParameters": proxy["queryStringParameters"] or {},
        "multiValueQueryStringParameters": proxy["multiValueQueryStringParameters"] or {},
        "pathParameters": proxy["pathParameters"] or {},
        "stageVariables": {},
        "requestContext": proxy["requestContext"],
    }


@dataclass
class LambdaContext:
    """What a handler reads from the Lambda context object."""

    function_name: str = "local"
    memory_limit_in_mb: int = 256
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    timeout_seconds: float = 30.0
    _started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:{ACCOUNT_ID}:function:{self.function_name}"

    @property
    def function_version(self) -> str:
        return "$LATEST"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return "local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self._started)) * 1000))

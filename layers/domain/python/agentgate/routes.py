"""The table of routes: the single source of truth for the API.

One row per method and path: the handler module under ``functions/``, who may call
it, the minimum role for users or the scopes for API keys and agents, and the AWS
permissions its function needs. CDK builds one Lambda per row, the local gateway
routes with it, the resolver enforces it and the OpenAPI document is generated
from it and the pydantic models it names.

Models are named as ``"module:Class"`` strings under ``agentgate.schemas`` so that
reading this table costs nothing at import time; only the OpenAPI generator loads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from agentgate.platform.tenancy import Caller, Role

PUBLIC = frozenset({Caller.PUBLIC})
USER = frozenset({Caller.USER})
USER_OR_APIKEY = frozenset({Caller.USER, Caller.APIKEY})
AGENT = frozenset({Caller.AGENT})
AGENT_OR_APIKEY = frozenset({Caller.AGENT, Caller.APIKEY})
USER_OR_AGENT = frozenset({Caller.USER, Caller.AGENT})

# Permissions a function may be granted (CDK turns each into IAM statements).
TABLE_READ = "table:read"
TABLE_WRITE = "table:write"
RUNS_STREAM = "stream:runs"
ANALYTICS_STREAM = "stream:analytics"
KMS_SIGN = "kms:sign"
KMS_PUBLIC_KEY = "kms:public-key"
COGNITO = "cognito"
APPROVALS = "states:approvals"
WEBHOOK_QUEUE = "queue:webhooks"
API_KEYS = "apigateway:api-keys"
HEALTH_PROBES = "health:probes"
GRANTS = frozenset(
    {
        TABLE_READ,
        TABLE_WRITE,
        RUNS_STREAM,
        ANALYTICS_STREAM,
        KMS_SIGN,
        KMS_PUBLIC_KEY,
        COGNITO,
        APPROVALS,
        WEBHOOK_QUEUE,
        API_KEYS,
        HEALTH_PROBES,
    }
)


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: str
    callers: frozenset[Caller]
    summary: str
    tag: str
    role: Role | None = None  # minimum role for users
    scopes: tuple[str, ...] = ()  # all required, for API keys
    agent_scopes: tuple[str, ...] = ()  # all required, for agents
    grants: frozenset[str] = frozenset()
    request_model: str | None = None
    query_model: str | None = None
    response_model: str | None = None
    status: int = 200
    content_type: str = "application/json"
    form_encoded: bool = False

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def is_public(self) -> bool:
        return Caller.PUBLIC in self.callers

    @property
    def writes(self) -> bool:
        return TABLE_WRITE in self.grants


R = Route
READ = frozenset({TABLE_READ})
WRITE = frozenset({TABLE_READ, TABLE_WRITE})

ROUTES: tuple[Route, ...] = (
    # --- health, discovery, tiers -------------------------------------------------------------
    R("GET", "/health", "health", PUBLIC, "Liveness", "health", response_model="health:Health"),
    R(
        "GET",
        "/health/detailed",
        "health_detailed",
        PUBLIC,
        "Each dependency's status and latency",
        "health",
        grants=frozenset({TABLE_READ, HEALTH_PROBES}),
        response_model="health:DetailedHealth",
    ),
    R("GET", "/openapi.json", "openapi_document", PUBLIC, "This document", "health"),
    R(
        "GET",
        "/api/v1/tiers",
        "tiers_list",
        PUBLIC,
        "The tier table",
        "billing",
        response_model="tiers:TierList",
    ),
    # --- identity (issue: identity and access) -----------------------------------------------
    # --- runs, costs, budgets, analytics -------------------------------------------------------
    # --- governance -----------------------------------------------------------------------------
)


@lru_cache(maxsize=1)
def routes_by_key() -> dict[str, Route]:
    return {route.key: route for route in ROUTES}


def find_route(method: str, resource: str) -> Route | None:
    """The row for an API Gateway ``httpMethod`` and ``resource`` (the path template)."""
    return routes_by_key().get(f"{method.upper()} {resource}")

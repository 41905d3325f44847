"""AgentGate's Python SDK.

``AgentGate`` (an agent: its token, runs sent in the background, ``authorize`` and approvals),
``AgentGateAdmin`` (automation with an API key), their async twins ``AsyncAgentGate`` and
``AsyncAgentGateAdmin``, the typed models of the API (``agentgate_client.models``) and the
exceptions (``agentgate_client.errors``).
"""

from agentgate_client.aio import AsyncAgentGate, AsyncAgentGateAdmin
from agentgate_client.auth import ClientCredentials, TokenExchange
from agentgate_client.client import AgentGate, AgentGateAdmin
from agentgate_client.errors import (
    AgentGateError,
    ApiError,
    ApprovalTimeout,
    BadRequest,
    Conflict,
    Denied,
    Forbidden,
    NotFound,
    OAuthError,
    RateLimited,
    ServiceUnavailable,
    TransportError,
    Unauthorized,
    Unprocessable,
)
from agentgate_client.ingestion import IngestionClosed, IngestionStats
from agentgate_client.resources import iterate
from agentgate_client.runs import RunContext, new_run_id
from agentgate_client.transport import RetryPolicy

__version__ = "0.1.0"

__all__ = [
    "AgentGate",
    "AgentGateAdmin",
    "AgentGateError",
    "ApiError",
    "ApprovalTimeout",
    "AsyncAgentGate",
    "AsyncAgentGateAdmin",
    "BadRequest",
    "ClientCredentials",
    "Conflict",
    "Denied",
    "Forbidden",
    "IngestionClosed",
    "IngestionStats",
    "NotFound",
    "OAuthError",
    "RateLimited",
    "RetryPolicy",
    "RunContext",
    "ServiceUnavailable",
    "TokenExchange",
    "TransportError",
    "Unauthorized",
    "Unprocessable",
    "iterate",
    "new_run_id",
]

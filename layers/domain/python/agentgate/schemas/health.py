from __future__ import annotations

from typing import Literal

from agentgate.schemas.common import ResponseModel

DependencyStatus = Literal["healthy", "degraded", "unreachable"]


class Health(ResponseModel):
    status: Literal["ok"]
    service: str
    version: str


class DependencyHealth(ResponseModel):
    status: DependencyStatus
    latency_ms: float
    error: str | None = None


class DetailedHealth(ResponseModel):
    status: DependencyStatus
    dependencies: dict[str, DependencyHealth]

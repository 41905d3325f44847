"""Powertools logger and metrics, shared by every function."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics

SERVICE = "agentgate"
METRICS_NAMESPACE = "AgentGate"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=METRICS_NAMESPACE, service=SERVICE)

"""Lazily created boto3 clients, one per service per warm container.

boto3 honours ``AWS_ENDPOINT_URL``, which is how the local stack and tests point
every client at moto.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from agentgate.platform.settings import get_settings


@cache
def client(service: str) -> Any:
    import boto3  # imported here: a handler that never calls AWS never pays for boto3
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=5)
    session: Any = boto3.session.Session()
    return session.client(service, region_name=get_settings().region, config=config)


def reset_clients() -> None:
    """Forget cached clients (tests switch between moto backends)."""
    client.cache_clear()

"""Fixtures shared by every suite. AWS is always moto: no test can reach a real account."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# Fake credentials before anything creates a client: nothing here may reach AWS.
for _name, _value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "POWERTOOLS_METRICS_NAMESPACE": "AgentGate",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "POWERTOOLS_TRACE_DISABLED": "true",
}.items():
    os.environ[_name] = _value
os.environ.pop("AWS_ENDPOINT_URL", None)


def _reset_caches() -> None:
    from agentgate.platform.aws import reset_clients
    from agentgate.platform.settings import reset_settings

    reset_settings()
    reset_clients()
    import sys

    if "agentgate.services.analytics_batch" in sys.modules:  # records held for another backend
        sys.modules["agentgate.services.analytics_batch"].issued_tokens.discard()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """In-process moto with the deployment's resources provisioned; yields the functions' environment."""
    from moto import mock_aws

    from infra.local.resources import provision

    with mock_aws():
        provisioned = provision()
        for name, value in provisioned.env.items():
            monkeypatch.setenv(name, value)
        _reset_caches()
        yield provisioned.env
    _reset_caches()

"""Every setting is declared once: its name and default in Settings, its variable by env_name."""

from dataclasses import fields

import pytest

from agentgate.platform.settings import Settings, env_name, get_settings, reset_settings, settings_env


@pytest.fixture(autouse=True)
def _fresh():
    reset_settings()
    yield
    reset_settings()


def test_without_environment_every_setting_has_its_declared_default(monkeypatch):
    for spec in fields(Settings):
        monkeypatch.delenv(env_name(spec.name), raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    assert get_settings() == Settings()


def test_what_settings_env_writes_get_settings_reads_back(monkeypatch):
    values = {
        "table_name": "t",
        "runs_stream": "r",
        "issuer": "https://issuer.example",
        "access_token_ttl_seconds": 120,
        "allow_loopback_webhooks": True,
        "usage_plan_ids": {"free": "p1", "pro": "p2"},
    }
    for name, value in settings_env(**values).items():
        monkeypatch.setenv(name, value)
    settings = get_settings()
    assert {name: getattr(settings, name) for name in values} == values


def test_the_variables_keep_their_deployed_names():
    assert env_name("table_name") == "TABLE_NAME"
    assert env_name("runs_stream") == "RUNS_STREAM_NAME"
    assert env_name("issuer") == "TOKEN_ISSUER"
    assert env_name("region") == "AWS_REGION"
    with pytest.raises(KeyError):
        env_name("no_such_setting")

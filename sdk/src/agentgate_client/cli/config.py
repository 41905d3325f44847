"""Where the CLI keeps its login: ``<user config dir>/agentgate/config.json``, readable by its owner only.

The file holds the API's URL and either an API key or a person's tokens (from email and
password). ``AGENTGATE_URL`` and ``AGENTGATE_API_KEY`` in the environment win over it, so CI can
run the CLI without a login step.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import typer

APP_NAME = "agentgate"
DEFAULT_URL = "http://127.0.0.1:8000"  # `make dev`
URL_ENV = "AGENTGATE_URL"
API_KEY_ENV = "AGENTGATE_API_KEY"


@dataclass
class Login:
    url: str = DEFAULT_URL
    api_key: str | None = None
    access_token: str | None = None
    refresh_token: str | None = None
    expires_at: float | None = None  # epoch seconds of the access token's expiry
    email: str | None = None

    def expired(self, margin: float = 30.0) -> bool:
        return self.expires_at is not None and time.time() > self.expires_at - margin


def config_path() -> Path:
    return Path(typer.get_app_dir(APP_NAME)) / "config.json"


def load() -> Login:
    """The stored login, then the environment on top of it."""
    login = Login()
    path = config_path()
    if path.exists():
        stored = json.loads(path.read_text())
        login = Login(**{k: v for k, v in stored.items() if k in Login.__dataclass_fields__})
    if os.environ.get(URL_ENV):
        login.url = os.environ[URL_ENV]
    if os.environ.get(API_KEY_ENV):
        login = Login(url=login.url, api_key=os.environ[API_KEY_ENV])
    login.url = login.url.rstrip("/")
    return login


def save(login: Login) -> Path:
    """Write the login with mode 0600 (and its directory 0700): it holds secrets."""
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump({k: v for k, v in asdict(login).items() if v is not None}, handle, indent=2)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
    return path


def forget() -> bool:
    path = config_path()
    if path.exists():
        path.unlink()
        return True
    return False

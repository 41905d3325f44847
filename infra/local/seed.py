"""What the local stack puts in place after it starts, and the lines of its banner about it.

Everything is created through the running gateway's HTTP API, as a newcomer would: a demo
tenant (sign-up), the owner's login, an agent with client credentials and an admin API key.
"""

from __future__ import annotations

from typing import Any

import requests

DEMO_ORG = "Demo Org"
DEMO_EMAIL = "owner@demo.agentgate.dev"
DEMO_PASSWORD = "Demo-password-change-me-1"  # a local, in-memory stack only
DEMO_AGENT_SCOPES = ["runs:write", "approvals:read"]
TIMEOUT_SECONDS = 30


class SeedError(RuntimeError):
    """The gateway refused a seeding step: the banner cannot show working credentials."""


def _json(reply: requests.Response, expected: int, step: str) -> Any:
    if reply.status_code != expected:
        raise SeedError(f"{step}: {reply.status_code} {reply.text[:500]}")
    return reply.json()


def _owner_token(api_url: str) -> str:
    """Sign the demo tenant up; on a stack that already has it, sign in instead."""
    signup = requests.post(
        f"{api_url}/api/v1/auth/signup",
        json={"org_name": DEMO_ORG, "email": DEMO_EMAIL, "password": DEMO_PASSWORD},
        timeout=TIMEOUT_SECONDS,
    )
    if signup.status_code != 409:
        _json(signup, 201, "sign-up")
    login = requests.post(
        f"{api_url}/api/v1/auth/login",
        json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD},
        timeout=TIMEOUT_SECONDS,
    )
    return str(_json(login, 200, "owner login")["tokens"]["access_token"])


def seed_demo(api_url: str) -> list[str]:
    """Seed demo data through the running gateway; return the banner lines that show how to use it."""
    token = _owner_token(api_url)
    owner = {"Authorization": f"Bearer {token}"}
    agent = _json(
        requests.post(
            f"{api_url}/api/v1/agents",
            json={
                "name": "demo-agent",
                "description": "Seeded by the local stack",
                "tags": ["demo"],
                "scopes": DEMO_AGENT_SCOPES,
            },
            headers=owner,
            timeout=TIMEOUT_SECONDS,
        ),
        201,
        "agent",
    )
    credential = _json(
        requests.post(
            f"{api_url}/api/v1/agents/{agent['id']}/credentials",
            json={},
            headers=owner,
            timeout=TIMEOUT_SECONDS,
        ),
        201,
        "agent credentials",
    )
    api_key = _json(
        requests.post(
            f"{api_url}/api/v1/api-keys",
            json={"name": "demo admin key", "scopes": ["admin"]},
            headers=owner,
            timeout=TIMEOUT_SECONDS,
        ),
        201,
        "API key",
    )
    client_id, secret = credential["client_id"], credential["client_secret"]
    return [
        f"  curl {api_url}/health",
        f"  curl {api_url}/api/v1/tiers",
        "",
        "Demo tenant (in memory; shown once here):",
        f"  owner login   {DEMO_EMAIL} / {DEMO_PASSWORD}",
        f"  agent         {agent['id']}  scopes: {' '.join(DEMO_AGENT_SCOPES)}",
        f"  client id     {client_id}",
        f"  client secret {secret}",
        f"  admin API key {api_key['key']}",
        "",
        "An agent token:",
        f"  curl -u {client_id}:{secret} -d grant_type=client_credentials {api_url}/oauth2/token",
        "The agent list with the admin API key:",
        f"  curl -H 'Authorization: Bearer {api_key['key']}' {api_url}/api/v1/agents",
        "Sign in as the owner:",
        f'  curl -H \'Content-Type: application/json\' -d \'{{"email": "{DEMO_EMAIL}", '
        f'"password": "{DEMO_PASSWORD}"}}\' {api_url}/api/v1/auth/login',
    ]

"""The load scenarios (locust): what tenants and agents do most, each request named after its scenario.

One user is one agent of the load tenant: it registers itself (and is deleted when it stops, so the
tier's agent limit is never the bottleneck), then repeats, weighted as the seeds' traffic is:
token issuance, ``/authorize``, batch ingestion, credential rotation and, now and then, another
agent registration (created and deleted). The tenant's admin API key comes from the environment
(``AGENTGATE_ADMIN_KEY``), set by ``tests/load/run.py`` after it provisions the tenant.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from typing import Any

from locust import HttpUser, between, task

AGENT_REGISTRATION = "agent registration"
TOKEN_ISSUANCE = "token issuance"
CREDENTIAL_ROTATION = "credential rotation"
INGESTION_BATCH = "ingestion (batch)"
AUTHORIZE = "/authorize"
SCENARIOS = (AGENT_REGISTRATION, TOKEN_ISSUANCE, CREDENTIAL_ROTATION, INGESTION_BATCH, AUTHORIZE)
RUNS_PER_BATCH = 10


def _run(agent_id: str) -> dict[str, Any]:
    return {
        "run_id": f"load-{uuid.uuid4().hex}",
        "agent_id": agent_id,
        "status": "success",
        "start_time": datetime.now(UTC).isoformat(),
        "model": "gpt-4o-mini",
        "provider": "openai",
        "token_usage": {"input": 1200, "output": 300, "cache_read": 0, "cache_write": 0},
        "events": [{"event_id": "e1", "type": "llm.call", "timestamp": datetime.now(UTC).isoformat()}],
    }


class AgentUser(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.admin = {"Authorization": f"Bearer {os.environ['AGENTGATE_ADMIN_KEY']}"}
        agent = self._register(f"load-{uuid.uuid4().hex[:10]}")
        self.agent_id = agent["id"] if agent else None
        self.credential: dict[str, Any] | None = None
        self.token: str | None = None
        if self.agent_id:
            self.rotate_credentials()
            self.issue_token()

    def on_stop(self) -> None:
        if self.agent_id:
            self.client.delete(f"/api/v1/agents/{self.agent_id}", headers=self.admin, name="(cleanup)")

    def _register(self, name: str) -> dict[str, Any] | None:
        body = {"name": name, "scopes": ["runs:write", "approvals:read"], "team": "load"}
        with self.client.post(
            "/api/v1/agents", json=body, headers=self.admin, name=AGENT_REGISTRATION, catch_response=True
        ) as reply:
            if reply.status_code != 201:
                reply.failure(f"{reply.status_code}: {reply.text[:200]}")
                return None
            return reply.json()

    @task(1)
    def register_agent(self) -> None:
        agent = self._register(f"load-extra-{uuid.uuid4().hex[:10]}")
        if agent:
            self.client.delete(f"/api/v1/agents/{agent['id']}", headers=self.admin, name="(cleanup)")

    @task(1)
    def rotate_credentials(self) -> None:
        if not self.agent_id:
            return
        with self.client.post(
            f"/api/v1/agents/{self.agent_id}/credentials",
            json={},
            headers=self.admin,
            name=CREDENTIAL_ROTATION,
            catch_response=True,
        ) as reply:
            if reply.status_code != 201:
                reply.failure(f"{reply.status_code}: {reply.text[:200]}")
                return
            self.credential = reply.json()

    @task(4)
    def issue_token(self) -> None:
        if not self.credential:
            return
        with self.client.post(
            "/oauth2/token",
            data={"grant_type": "client_credentials", "scope": "runs:write approvals:read"},
            auth=(self.credential["client_id"], self.credential["client_secret"]),
            name=TOKEN_ISSUANCE,
            catch_response=True,
        ) as reply:
            if reply.status_code != 200:
                reply.failure(f"{reply.status_code}: {reply.text[:200]}")
                return
            self.token = reply.json()["access_token"]

    def _agent_headers(self) -> dict[str, str] | None:
        return {"Authorization": f"Bearer {self.token}"} if self.token else None

    @task(4)
    def authorize(self) -> None:
        headers = self._agent_headers()
        if headers is None:
            return
        body = {"action": "llm.call", "resource": "model:gpt-4o-mini", "context": {"purpose": "load"}}
        with self.client.post(
            "/api/v1/authorize", json=body, headers=headers, name=AUTHORIZE, catch_response=True
        ) as reply:
            if reply.status_code != 200:
                reply.failure(f"{reply.status_code}: {reply.text[:200]}")

    @task(3)
    def ingest_batch(self) -> None:
        headers = self._agent_headers()
        if headers is None or not self.agent_id:
            return
        runs = [_run(self.agent_id) for _ in range(RUNS_PER_BATCH)]
        with self.client.post(
            "/api/v1/ingest/batch",
            json={"runs": runs},
            headers=headers,
            name=INGESTION_BATCH,
            catch_response=True,
        ) as reply:
            if reply.status_code != 207:
                reply.failure(f"{reply.status_code}: {reply.text[:200]}")

"""The local stack over HTTP, as a developer or a client meets it after ``make dev``."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import boto3
import pytest
import requests

from agentgate.routes import ROUTES
from agentgate.tiers import TIER_ORDER
from tests.e2e.conftest import REPO_ROOT, start_stack, stop_stack

pytestmark = pytest.mark.e2e


def test_health_answers_ok(local_stack):
    reply = requests.get(f"{local_stack.api_url}/health", timeout=10)
    assert reply.status_code == 200
    assert reply.json()["status"] == "ok"


def test_detailed_health_finds_every_dependency_in_the_stacks_moto(local_stack):
    reply = requests.get(f"{local_stack.api_url}/health/detailed", timeout=30)
    assert reply.status_code == 200, reply.text
    dependencies = reply.json()["dependencies"]
    assert {name: d["status"] for name, d in dependencies.items()} == {
        "dynamodb": "healthy",
        "kinesis": "healthy",
        "kms": "healthy",
        "stepfunctions": "healthy",
    }


def test_the_openapi_document_lists_every_route(local_stack):
    reply = requests.get(f"{local_stack.api_url}/openapi.json", timeout=10)
    assert reply.status_code == 200
    paths = reply.json()["paths"]
    assert all(route.method.lower() in paths[route.path] for route in ROUTES)


def test_the_tier_table_is_served(local_stack):
    reply = requests.get(f"{local_stack.api_url}/api/v1/tiers", timeout=10)
    assert reply.status_code == 200
    assert [tier["name"] for tier in reply.json()["items"]] == list(TIER_ORDER)


def test_an_unknown_path_is_a_json_404(local_stack):
    reply = requests.get(f"{local_stack.api_url}/api/v1/no-such-thing", timeout=10)
    assert reply.status_code == 404
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.json()["error"]["code"] == "not_found"


def test_a_wrong_method_is_a_json_405(local_stack):
    reply = requests.delete(f"{local_stack.api_url}/health", timeout=10)
    assert reply.status_code == 405
    assert reply.json()["error"]["code"] == "method_not_allowed"


def test_the_aws_endpoint_serves_the_provisioned_resources(local_stack):
    dynamodb = boto3.client("dynamodb", endpoint_url=local_stack.aws_url, region_name="us-east-1")
    assert "agentgate" in dynamodb.list_tables()["TableNames"]


def test_the_banner_says_where_the_api_and_aws_are_and_what_to_try(local_stack):
    log = local_stack.log()
    assert f"API           {local_stack.api_url}" in log
    assert f"export AWS_ENDPOINT_URL={local_stack.aws_url}" in log
    assert "Try first:" in log


def test_two_stacks_run_side_by_side_with_their_own_data(local_stack, tmp_path):
    second = start_stack(tmp_path / "second.log")
    try:
        assert second.api_url != local_stack.api_url and second.aws_url != local_stack.aws_url
        assert requests.get(f"{second.api_url}/health", timeout=10).status_code == 200
        first_table = boto3.client("dynamodb", endpoint_url=local_stack.aws_url, region_name="us-east-1")
        second_table = boto3.client("dynamodb", endpoint_url=second.aws_url, region_name="us-east-1")
        item = {"pk": {"S": "E2E#side-by-side"}, "sk": {"S": "ONLY-IN-SECOND"}}
        second_table.put_item(TableName="agentgate", Item=item)
        key = {"pk": item["pk"], "sk": item["sk"]}
        assert "Item" in second_table.get_item(TableName="agentgate", Key=key)
        assert "Item" not in first_table.get_item(TableName="agentgate", Key=key)
    finally:
        code = stop_stack(second)
    assert code == 0
    assert "Stopped." in second.log()


def test_a_body_over_api_gateways_payload_limit_is_413_unread(local_stack):
    host, port = local_stack.api_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(
            b"POST /api/v1/auth/signup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 20000000\r\n\r\n"
        )
        answer = b""
        while chunk := conn.recv(65536):  # the gateway closes the connection after answering
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413")
    assert b'"request_too_large"' in answer


def test_a_signed_up_user_calls_a_protected_route_through_the_real_authorizer(local_stack):
    api = local_stack.api_url
    signup = requests.post(
        f"{api}/api/v1/auth/signup",
        json={"org_name": "E2E Org", "email": "owner@e2e.example", "password": "a long enough passphrase"},
        timeout=30,
    )
    assert signup.status_code == 201, signup.text
    tokens = signup.json()["tokens"]
    bearer = tokens.get("access_token") or tokens["id_token"]
    listed = requests.get(f"{api}/api/v1/agents", headers={"Authorization": f"Bearer {bearer}"}, timeout=30)
    assert listed.status_code == 200, listed.text
    assert listed.json()["items"] == []
    anonymous = requests.get(f"{api}/api/v1/agents", timeout=10)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "unauthorized"


def test_a_run_ingested_over_http_is_stored_by_the_runs_consumer_through_the_stream(local_stack):
    api = local_stack.api_url
    signup = requests.post(
        f"{api}/api/v1/auth/signup",
        json={
            "org_name": "E2E Stream",
            "email": "stream@e2e.example",
            "password": "a long enough passphrase",
        },
        timeout=30,
    )
    assert signup.status_code == 201, signup.text
    owner = {"Authorization": f"Bearer {signup.json()['tokens']['access_token']}"}
    agent = requests.post(
        f"{api}/api/v1/agents", json={"name": "streamer", "scopes": ["runs:write"]}, headers=owner, timeout=30
    )
    assert agent.status_code == 201, agent.text
    credential = requests.post(
        f"{api}/api/v1/agents/{agent.json()['id']}/credentials", json={}, headers=owner, timeout=30
    ).json()
    token = requests.post(
        f"{api}/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(credential["client_id"], credential["client_secret"]),
        timeout=30,
    )
    assert token.status_code == 200, token.text
    run = {"run_id": "e2e-run-1", "status": "success", "start_time": "2026-01-01T00:00:00Z"}
    accepted = requests.post(
        f"{api}/api/v1/ingest/run",
        json=run,
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        timeout=30,
    )
    assert accepted.status_code == 202, accepted.text

    deadline, stored = time.monotonic() + 60, None
    while time.monotonic() < deadline:  # the poller's pace, not a timing assertion
        stored = requests.get(f"{api}/api/v1/runs/e2e-run-1", headers=owner, timeout=30)
        if stored.status_code == 200:
            break
        time.sleep(0.25)
    assert stored is not None and stored.status_code == 200, stored.text if stored else "no answer"
    assert stored.json()["run_id"] == "e2e-run-1"


def test_the_fire_command_runs_a_schedule_on_the_running_stack(local_stack):
    from agentgate.schedules import SCHEDULES

    if not SCHEDULES:
        pytest.skip("no schedules in the table")
    port = local_stack.api_url.rsplit(":", 1)[1]
    fired = subprocess.run(
        [sys.executable, "-m", "infra.local", "fire", SCHEDULES[0].name, "--port", port],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert fired.returncode == 0, fired.stderr
    assert json.loads(fired.stdout)["schedule"] == SCHEDULES[0].name
    unknown = subprocess.run(
        [sys.executable, "-m", "infra.local", "fire", "no-such-schedule", "--port", port],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert unknown.returncode == 1
    assert "not_found" in unknown.stderr


def test_a_stack_on_a_port_in_use_says_so_and_exits(local_stack):
    port = local_stack.api_url.rsplit(":", 1)[1]
    env = {**os.environ, "PORT": port, "AWS_PORT": "0"}
    started = subprocess.run(
        [sys.executable, "-m", "infra.local"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert started.returncode == 2
    assert f"127.0.0.1:{port} is in use; set PORT" in started.stderr

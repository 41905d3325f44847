"""An agent instrumented with the stock OpenTelemetry SDK, pointed at the local stack with only
an endpoint and a header, shows up as a costed run with its timeline.

The exporters are the real ones (OTLP/HTTP protobuf and OTLP/HTTP JSON), over HTTP to the
local gateway, through the authorizer, the runs stream and the runs consumer. A simple span
processor exports each span as it ends, so the trace arrives in four exports and is merged.
"""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
import requests
from opentelemetry.exporter.otlp.json.http.trace_exporter import OTLPSpanExporter as JsonExporter
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as ProtobufExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

# gpt-5: 10,000 fresh x 1.25 + 40,000 cached x 0.125 + 2,000 out x 10 = 12,500 + 5,000 + 20,000
# claude-haiku-4-5 (Anthropic-style counts: input excludes the cache): 3,000 x 1 + 10,000 read x 0.1
#   + 1,000 write x 1.25 + 1,000 out x 5 = 3,000 + 1,000 + 1,250 + 5,000. Total 47,750 -> 0.04775
EXPECTED_COST = Decimal("0.04775")


def _agent_with_token(api: str, name: str) -> tuple[dict[str, str], str, str]:
    signup = requests.post(
        f"{api}/api/v1/auth/signup",
        json={
            "org_name": f"E2E {name}",
            "email": f"{name}@otel.example",
            "password": "a long enough passphrase",
        },
        timeout=30,
    )
    assert signup.status_code == 201, signup.text
    owner = {"Authorization": f"Bearer {signup.json()['tokens']['access_token']}"}
    agent = requests.post(
        f"{api}/api/v1/agents", json={"name": name, "scopes": ["runs:write"]}, headers=owner, timeout=30
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
    return owner, agent.json()["id"], token.json()["access_token"]


def _run_the_agent(exporter) -> int:
    provider = TracerProvider(resource=Resource.create({"service.name": "planner-service"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("e2e-agent")
    with tracer.start_as_current_span(
        "invoke_agent planner",
        attributes={"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "planner"},
    ) as root:
        with tracer.start_as_current_span(
            "chat gpt-5",
            attributes={
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": "openai",
                "gen_ai.request.model": "gpt-5",
                "gen_ai.usage.input_tokens": 50_000,
                "gen_ai.usage.cache_read.input_tokens": 40_000,
                "gen_ai.usage.output_tokens": 2_000,
            },
        ):
            pass
        with tracer.start_as_current_span(
            "execute_tool search",
            attributes={"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "search"},
        ):
            pass
        with tracer.start_as_current_span(
            "chat claude-haiku-4-5",
            attributes={
                "gen_ai.operation.name": "chat",
                "gen_ai.system": "anthropic",
                "gen_ai.request.model": "claude-haiku-4-5",
                "gen_ai.usage.input_tokens": 3_000,
                "gen_ai.usage.cache_read_input_tokens": 10_000,
                "gen_ai.usage.cache_creation_input_tokens": 1_000,
                "gen_ai.usage.output_tokens": 1_000,
            },
        ):
            pass
    provider.shutdown()
    return root.get_span_context().trace_id


def _stored_run(api: str, owner: dict[str, str], run_id: str) -> dict:
    deadline, run = time.monotonic() + 60, None
    while time.monotonic() < deadline:  # the poller's pace, not a timing assertion
        reply = requests.get(f"{api}/api/v1/runs/{run_id}", headers=owner, timeout=30)
        if reply.status_code == 200:
            run = reply.json()
            if run["status"] == "success" and run["event_count"] == 4:
                return run
        time.sleep(0.25)
    raise AssertionError(f"run {run_id} not complete: {run}")


@pytest.mark.parametrize("encoding", ["protobuf", "json"])
def test_an_agent_traced_with_the_stock_sdk_shows_up_as_a_costed_run(local_stack, encoding):
    api = local_stack.api_url
    owner, agent_id, token = _agent_with_token(api, f"otel-{encoding}")
    endpoint, headers = f"{api}/v1/traces", {"Authorization": f"Bearer {token}"}
    if encoding == "protobuf":
        exporter = ProtobufExporter(endpoint=endpoint, headers=headers, compression=Compression.Gzip)
    else:
        exporter = JsonExporter(endpoint=endpoint, headers=headers)
    trace_id = _run_the_agent(exporter)

    run = _stored_run(api, owner, f"otel-{trace_id:032x}")
    assert run["agent_id"] == agent_id and run["model"] == "gpt-5"
    assert run["token_usage"] == {
        "input": 13_000, "output": 3_000, "cache_read": 50_000, "cache_write": 1_000, "cache_write_1h": 0
    }  # fmt: skip
    assert Decimal(run["cost_usd"]) == EXPECTED_COST and not run["unpriced"]
    events = requests.get(f"{api}/api/v1/events/{run['run_id']}", headers=owner, timeout=30).json()["items"]
    assert sorted(e["type"] for e in events) == ["agent", "llm_call", "llm_call", "tool_call"]
    prices = requests.get(f"{api}/api/v1/prices", params={"q": "gpt-5", "provider": "openai"}, timeout=30)
    assert prices.status_code == 200 and any(p["model_pattern"] == "gpt-5" for p in prices.json()["items"])

"""POST /v1/traces: spans encoded by the OpenTelemetry SDK's own encoders become costed runs.

The spans are made by the stock SDK (TracerProvider, in-memory exporter) and encoded with the
OTLP exporters' encoders (protobuf and JSON); the export goes through the handler, the runs
stream and the runs consumer, like an exporter's request would.
"""

import gzip
import json
from decimal import Decimal

import pytest
from opentelemetry.exporter.otlp.json.common.trace_encoder import encode_spans as encode_json
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans as encode_protobuf
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Status, StatusCode

from agentgate.platform.aws import client
from agentgate.platform.settings import get_settings
from agentgate.tools.kinesis_events import read_stream
from tests.integration.test_runs_helpers import Stream, agent, apikey, make_agent, make_tenant
from tests.support.api import call

PROTOBUF = {"Content-Type": "application/x-protobuf"}
JSON = {"Content-Type": "application/json"}


def agent_trace(service: str = "a1", fail_tool: bool = False):
    """An agent span, two LLM calls with usage (OTel and OpenInference names) and a tool span."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("agent")
    agent_attrs = {"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "planner"}
    with tracer.start_as_current_span("invoke_agent planner", attributes=agent_attrs):
        with tracer.start_as_current_span(
            "chat gpt-5",
            attributes={
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": "openai",
                "gen_ai.request.model": "gpt-5",
                "gen_ai.response.model": "gpt-5",
                # OTel convention: input_tokens includes the 40,000 cache reads
                "gen_ai.usage.input_tokens": 50_000,
                "gen_ai.usage.cache_read.input_tokens": 40_000,
                "gen_ai.usage.output_tokens": 2_000,
            },
        ) as llm:
            llm.add_event("gen_ai.choice", {"finish_reason": "tool_calls"})
        with tracer.start_as_current_span(
            "execute_tool search",
            attributes={"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "search"},
        ) as tool:
            if fail_tool:
                tool.set_status(Status(StatusCode.ERROR, "search is down"))
        with tracer.start_as_current_span(
            "claude",
            attributes={
                "llm.system": "anthropic",
                "llm.model_name": "claude-haiku-4-5",
                "llm.token_count.prompt": 14_000,  # OpenInference: prompt includes cache tokens
                "llm.token_count.prompt_details.cache_read": 10_000,
                "llm.token_count.prompt_details.cache_write": 1_000,
                "llm.token_count.completion": 1_000,
                "openinference.span.kind": "LLM",
            },
        ):
            pass
    return exporter.get_finished_spans()


# gpt-5: 10,000 fresh x 1.25 + 40,000 cached x 0.125 + 2,000 out x 10 = 12,500 + 5,000 + 20,000 = 37,500
# claude-haiku-4-5: 3,000 fresh x 1 + 10,000 read x 0.1 + 1,000 write x 1.25 + 1,000 out x 5
#   = 3,000 + 1,000 + 1,250 + 5,000 = 10,250. Total 47,750 per million -> 0.04775
EXPECTED_COST = Decimal("0.04775")


@pytest.fixture
def tenant(aws):
    make_tenant("t1")
    make_agent("t1", "a1", team="red")
    make_agent("t2", "b1")
    return "t1"


def _export(body: bytes, headers: dict, ctx=None):
    return call(
        "POST", "/v1/traces", raw_body=body, headers=headers, ctx=ctx or agent("t1", "a1", team="red")
    )


def _run(run_id: str):
    return call("GET", "/api/v1/runs/{id}", path_params={"id": run_id}, ctx=apikey("t1", {"runs:read"}))


def _events(run_id: str):
    return call(
        "GET", "/api/v1/events/{run_id}", path_params={"run_id": run_id}, ctx=apikey("t1", {"runs:read"})
    )


def _deliver():
    stream = Stream()
    stream.read()
    stream.deliver()


def _check_run(run_id: str, status: str = "success"):
    run = _run(run_id).json
    assert run["status"] == status and run["agent_id"] == "a1" and run["model"] == "gpt-5"
    assert run["token_usage"] == {
        "input": 13_000, "output": 3_000, "cache_read": 50_000, "cache_write": 1_000, "cache_write_1h": 0
    }  # fmt: skip
    assert Decimal(run["cost_usd"]) == EXPECTED_COST and run["unpriced"] is False
    assert sum(Decimal(v) for v in run["cost_breakdown"].values()) == EXPECTED_COST
    types = [e["type"] for e in _events(run_id).json["items"]]
    assert sorted(types) == ["agent", "llm_call", "llm_call", "span_event", "tool_call"]
    return run


def test_a_protobuf_export_becomes_a_costed_run_with_a_timeline(tenant):
    spans = agent_trace()
    reply = _export(encode_protobuf(spans).SerializeToString(), PROTOBUF)
    assert reply.status == 200 and reply.headers["content-type"] == "application/x-protobuf"
    _deliver()
    _check_run(f"otel-{spans[0].context.trace_id:032x}")


def test_a_gzipped_json_export_from_an_api_key_names_the_agent_by_service_name(tenant):
    spans = agent_trace(service="a1")
    body = gzip.compress(encode_json(spans).to_json().encode())
    reply = _export(body, {**JSON, "Content-Encoding": "gzip"}, ctx=apikey("t1", {"ingest"}))
    assert reply.status == 200 and reply.json == {}
    _deliver()
    _check_run(f"otel-{spans[0].context.trace_id:032x}")


def test_spans_of_a_trace_in_several_exports_merge_into_one_run_once(tenant):
    spans = agent_trace(fail_tool=True)
    children, root = spans[:-1], spans[-1:]
    assert root[0].parent is None
    for part in (children, children, root, root):  # each export sent twice (an exporter's retry)
        assert _export(encode_protobuf(part).SerializeToString(), PROTOBUF).status == 200
    _deliver()
    _deliver()  # and every stream record delivered again (a consumer retry)
    run = _check_run(f"otel-{spans[0].context.trace_id:032x}", status="error")
    assert run["event_count"] == 5
    summary = call("GET", "/api/v1/costs/summary", ctx=apikey("t1", {"costs:read"})).json
    assert Decimal(summary["total_cost_usd"]) == EXPECTED_COST and summary["runs"] == 1


def test_an_agent_token_cannot_ingest_for_another_agent_and_the_spans_are_rejected(tenant):
    spans = agent_trace()
    request = encode_protobuf(spans)
    attribute = request.resource_spans[0].resource.attributes.add()
    attribute.key, attribute.value.string_value = "agentgate.agent_id", "a2"
    reply = _export(request.SerializeToString(), PROTOBUF)
    assert reply.status == 200
    answer = ExportTraceServiceResponse()
    answer.ParseFromString(reply.raw_body)
    assert answer.partial_success.rejected_spans == len(spans)
    assert "own runs" in answer.partial_success.error_message
    assert read_stream(client("kinesis"), get_settings().runs_stream) == []


def test_an_api_key_cannot_ingest_for_another_tenants_agent(tenant):
    spans = agent_trace(service="b1")
    reply = _export(encode_json(spans).to_json().encode(), JSON, ctx=apikey("t1", {"ingest"}))
    assert reply.status == 200 and reply.json["partialSuccess"]["rejectedSpans"] == str(len(spans))
    assert read_stream(client("kinesis"), get_settings().runs_stream) == []


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        (b"<xml/>", {"Content-Type": "application/xml"}, 415, "unsupported_media_type"),
        (b"\xff\xff\xff\xff", PROTOBUF, 400, "malformed_protobuf"),
        (b"{not json", JSON, 400, "malformed_json"),
        (b"\x1f\x8bnot gzip", {**JSON, "Content-Encoding": "gzip"}, 400, "malformed_body"),
        (b"[]", JSON, 400, "malformed_body"),
    ],
)
def test_bad_exports_get_a_4xx_and_nothing_goes_on_the_stream(tenant, body, headers, status, code):
    reply = _export(body, headers)
    assert reply.status == status and reply.json["error"]["code"] == code
    assert read_stream(client("kinesis"), get_settings().runs_stream) == []


def test_a_span_without_ids_is_counted_as_rejected(tenant):
    document = json.loads(encode_json(agent_trace()).to_json())
    document["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["traceId"] = "zz"
    reply = _export(json.dumps(document).encode(), JSON)
    assert reply.status == 200 and reply.json["partialSuccess"]["rejectedSpans"] == "1"


def test_a_user_cannot_export(tenant):
    from tests.integration.test_runs_helpers import user

    assert _export(b"{}", JSON, ctx=user("t1")).status == 403


def test_a_call_through_the_batch_api_is_priced_at_batch_rates(tenant):
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "a1"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    attrs = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-5",
        "gen_ai.request.service_tier": "batch",
        "gen_ai.usage.input_tokens": 1_000_000,
        "gen_ai.usage.output_tokens": 1_000_000,
    }
    with provider.get_tracer("batch").start_as_current_span("chat gpt-5", attributes=attrs):
        pass
    spans = exporter.get_finished_spans()
    assert _export(encode_json(spans).to_json().encode(), JSON).status == 200
    _deliver()
    # gpt-5 batch: 0.625 in, 5 out (half the standard 1.25 / 10). 1M x 0.625 + 1M x 5 -> 5.625
    run = _run(f"otel-{spans[0].context.trace_id:032x}").json
    assert Decimal(run["cost_usd"]) == Decimal("5.625")


def test_a_run_ingested_as_batch_is_priced_at_batch_rates(tenant):
    from tests.integration.test_runs_helpers import run_body

    body = run_body("batch-1", model="gpt-5", provider="openai", batch=True,
                    token_usage={"input": 1_000_000, "output": 1_000_000}, start_time="2026-12-15T00:00:00Z",
                    end_time="2026-12-15T00:00:01Z")  # fmt: skip
    assert call("POST", "/api/v1/ingest/run", body=body, ctx=agent("t1", "a1", team="red")).status == 202
    _deliver()
    assert Decimal(_run("batch-1").json["cost_usd"]) == Decimal("5.625")


@pytest.mark.parametrize(
    "document",
    [{"resourceSpans": 5}, {"resourceSpans": [{"scopeSpans": [{"spans": [7, None]}]}]}, {}],
)
def test_malformed_parts_of_a_json_export_are_skipped_or_rejected_never_a_500(tenant, document):
    reply = _export(json.dumps(document).encode(), JSON)
    assert reply.status == 200
    assert read_stream(client("kinesis"), get_settings().runs_stream) == []


def test_a_span_with_an_impossible_time_is_placed_at_its_arrival(tenant):
    document = json.loads(encode_json(agent_trace()).to_json())
    spans = document["resourceSpans"][0]["scopeSpans"][0]["spans"]
    spans[0]["startTimeUnixNano"] = str(10**30)
    spans[0]["attributes"] = "not a list"
    assert _export(json.dumps(document).encode(), JSON).status == 200
    assert len(read_stream(client("kinesis"), get_settings().runs_stream)) == 1


def test_an_export_over_the_request_limit_is_413_unread(tenant):
    from agentgate.schemas.runs import MAX_REQUEST_BYTES

    reply = _export(b"\x00" * (MAX_REQUEST_BYTES + 1), PROTOBUF)
    assert reply.status == 413
    bomb = gzip.compress(
        b"{" + b" " * (MAX_REQUEST_BYTES + 10) + b"}"
    )  # small compressed, too large inflated
    reply = _export(bomb, {**JSON, "Content-Encoding": "gzip"})
    assert reply.status == 413
    assert read_stream(client("kinesis"), get_settings().runs_stream) == []


def test_a_fragment_past_the_span_cap_is_dead_lettered_with_its_reason(tenant, monkeypatch):
    from agentgate.services import otel_merge
    from tests.integration.test_runs_helpers import dead_letters

    monkeypatch.setattr(otel_merge, "MAX_SPANS_PER_RUN", 3)
    spans = agent_trace()
    for part in (spans[:3], spans[3:]):
        assert _export(encode_protobuf(part).SerializeToString(), PROTOBUF).status == 200
    _deliver()
    (letter,) = dead_letters()
    assert "would exceed 3 spans" in letter["reason"]
    # the first three spans (and the first call's span event) stay stored; the root waits for a replay
    assert _run(f"otel-{spans[0].context.trace_id:032x}").json["event_count"] == 4

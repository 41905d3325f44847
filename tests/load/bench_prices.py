"""Price table and OTLP figures: table size and load time, lookups per second, spans mapped per second.

The table is loaded once per warm container (the runs consumer and the price listing pay it;
the API handlers never load it). Lookups mix curated patterns, exact entries of the map,
prefixed names and unpriced models, as a consumer batch would. The OTLP figure decodes a
protobuf export of 50 four-span agent traces and maps it to runs (no AWS calls).

    python -m tests.load.bench_prices
"""

from __future__ import annotations

import gzip
import statistics
import time
from datetime import date
from typing import Any

from agentgate.pricing import PRICE_FILE, TokenCounts, parse_table

LOOKUP_RATE_TARGET = 20_000  # lookups/s: pricing a 100-run consumer batch costs under 5 ms
LOAD_TARGET_MS = 150  # the table's one-time load per container
MODELS = [
    ("gpt-5", "openai"),
    ("claude-sonnet-4-5-20250929", "anthropic"),
    ("gemini-2.5-pro", "gcp.gemini"),
    ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "aws.bedrock"),
    ("gpt-4o", "azure.ai.openai"),
    ("mistral-large-latest", "mistral_ai"),
    ("openai/gpt-4.1", None),
    ("in-house-llm", None),
]
TOKENS = TokenCounts(input=2_000, output=500, cache_read=10_000, cache_write=1_000)


def _load_ms() -> float:
    import json

    samples = []
    for _ in range(5):
        start = time.process_time()
        parse_table(json.loads(PRICE_FILE.read_text())).lookup(
            "gpt-5", None, date(2026, 12, 15)
        )  # builds the name index too
        samples.append((time.process_time() - start) * 1000)
    return statistics.median(samples)


def _lookup_rate() -> float:
    import json

    table = parse_table(json.loads(PRICE_FILE.read_text()))
    day = date(2026, 12, 15)
    rounds = 2_000
    start = time.process_time()
    for _ in range(rounds):
        for model, provider in MODELS:
            table.price_run(model, provider, day, TOKENS)
    return rounds * len(MODELS) / (time.process_time() - start)


def _otlp_rate() -> tuple[float, int]:
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from agentgate.services.otel import group_traces, span_events
    from agentgate.services.otlp_codec import PROTOBUF, decode_request

    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "bench"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("bench")
    usage = {
        "gen_ai.request.model": "gpt-5",
        "gen_ai.usage.input_tokens": 900,
        "gen_ai.usage.output_tokens": 90,
    }
    for _ in range(50):
        with tracer.start_as_current_span(
            "invoke_agent", attributes={"gen_ai.operation.name": "invoke_agent"}
        ):
            for name in ("chat", "execute_tool", "chat"):
                with tracer.start_as_current_span(name, attributes={"gen_ai.operation.name": name, **usage}):
                    pass
    body = encode_spans(exporter.get_finished_spans()).SerializeToString()
    decode_request(body, PROTOBUF)  # protobuf's import is not part of the rate
    rounds = 20
    start = time.process_time()
    for _ in range(rounds):
        traces, _, _ = group_traces(decode_request(body, PROTOBUF))
        for trace in traces:
            for span in trace.spans:
                span_events(span)
    spans = 200 * rounds
    return spans / (time.process_time() - start), len(body)


def run(options: Any = None) -> Any:
    from tests.load.bench import Figure

    raw = PRICE_FILE.read_bytes()
    load_ms, lookup_rate = _load_ms(), _lookup_rate()
    span_rate, export_bytes = _otlp_rate()
    rows = [
        ("price table: bytes shipped (gzip)", f"{len(raw):,} ({len(gzip.compress(raw)):,})", "", ""),
        (
            "price table: load + first lookup (and index), CPU ms",
            f"{load_ms:.0f}",
            f"<= {LOAD_TARGET_MS}",
            "",
        ),
        ("price lookups + costing per second", f"{lookup_rate:,.0f}", f">= {LOOKUP_RATE_TARGET:,}", ""),
        (
            "OTLP spans decoded and mapped per second",
            f"{span_rate:,.0f}",
            "",
            f"export of {export_bytes:,} B",
        ),
    ]
    return Figure(
        "Prices and OTLP: table size and load, lookup rate, span mapping rate",
        ("measure", "value", "target", "note"),
        rows,
        ["CPU time, one core, median of 5 loads; lookups mix 8 model names (one unpriced)."],
        within_target=load_ms <= LOAD_TARGET_MS and lookup_rate >= LOOKUP_RATE_TARGET,
    )


def main() -> None:
    print(run().render())


if __name__ == "__main__":
    main()

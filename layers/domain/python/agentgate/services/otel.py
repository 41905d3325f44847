"""OpenTelemetry ingestion: OTLP/HTTP trace exports (protobuf or JSON, gzip) become runs.

Each trace becomes a run (``run_id`` ``otel-<trace id>``); each span an event on its timeline
(span events follow it); each LLM span (one with ``gen_ai.usage.*`` or ``llm.token_count.*``
attributes) a model call, priced on its own by the consumer. The runs go onto the runs stream
like any other, so they are stored exactly once and dead-lettered if poison; a trace whose
spans arrive in several exports is merged span by span (``services.otel_merge``).
``docs/otel.md`` has the mapping. Token counts are normalized to disjoint buckets: the OTel
convention counts cache reads and writes inside ``input_tokens``, so they are subtracted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from agentgate.platform.errors import BadRequest, DependencyUnavailable, DomainError, PayloadTooLarge
from agentgate.platform.tenancy import Caller, TenantContext
from agentgate.schemas.runs import (
    MAX_RUN_BYTES,
    ModelCall,
    RunEnvelope,
    RunEventIn,
    RunIn,
    TokenUsage,
)
from agentgate.services.ingest import _AgentResolver, _Outgoing, put_on_stream
from agentgate.services.otlp_codec import (
    JSON,
    PROTOBUF,
    as_dict,
    as_list,
    attributes,
    decode_request,
    decompress,
    encode_response,
)

# Spans of one trace per stream record; a larger trace (or a record over 1 MB) is split in fragments.
SPANS_PER_RECORD = 200
EVENTS_PER_SPAN = 4  # span events kept per span: a record's 200 spans stay within 1,000 events
LLM_OPERATIONS = frozenset({"chat", "text_completion", "generate_content", "completion", "embeddings"})
TOOL_OPERATIONS = frozenset({"execute_tool"})
AGENT_OPERATIONS = frozenset({"invoke_agent", "create_agent"})
STATUS_ERROR = (2, "STATUS_CODE_ERROR")
# OTLP span flags: bit 8 says whether bit 9 is known, bit 9 that the parent is remote.
PARENT_IS_REMOTE = 0x100 | 0x200
# Token attribute names: the OTel gen_ai conventions first, then common vendor ones.
INPUT_KEYS = ("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt")
OUTPUT_KEYS = ("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion")
CACHE_READ_KEYS = (
    "gen_ai.usage.cache_read.input_tokens",
    "gen_ai.usage.cache_read_input_tokens",
    "llm.token_count.prompt_details.cache_read",
)
CACHE_WRITE_KEYS = (
    "gen_ai.usage.cache_creation.input_tokens",
    "gen_ai.usage.cache_creation_input_tokens",
    "llm.token_count.prompt_details.cache_write",
)
CACHE_WRITE_1H_KEY = "agentgate.usage.cache_write_1h_tokens"  # a part of the cache writes
EXCLUSIVE_KEY = "agentgate.usage.input_tokens_exclude_cache"  # input_tokens already without cache tokens
MODEL_KEYS = ("gen_ai.response.model", "gen_ai.request.model", "llm.model_name")
# A call through the provider's batch API is priced at its batch rates.
SERVICE_TIER_KEYS = (
    "gen_ai.request.service_tier",
    "openai.request.service_tier",
    "gen_ai.openai.request.service_tier",
)
PROVIDER_KEYS = ("gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system")


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"


@dataclass
class _Trace:
    trace_id: str
    agent_id: str | None  # the resource's agentgate.agent_id
    service: str | None  # the resource's service.name: names the agent for an API key
    spans: list[dict[str, Any]] = field(default_factory=list)


def export_traces(ctx: TenantContext, body: bytes, content_type: str, encoding: str) -> tuple[bytes, str]:
    """Decode the export, put its traces on the runs stream; answer ExportTraceServiceResponse."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media not in (PROTOBUF, JSON):
        raise UnsupportedMediaType(
            f"Content-Type {media or '(none)'} is not supported: send {PROTOBUF} or {JSON}.",
        )
    document = decode_request(decompress(body, encoding), media)
    traces, rejected, errors = group_traces(document)
    resolver = _AgentResolver(ctx)
    outgoing: list[_Outgoing] = []
    for trace in traces:
        try:
            outgoing += trace_records(ctx, trace, resolver, index=len(outgoing))
        except DomainError as exc:
            rejected += len(trace.spans)
            errors.append(f"trace {trace.trace_id}: {exc.message}")
    if put_on_stream(outgoing):
        raise DependencyUnavailable(
            "The runs stream is busy; retry the export.", headers={"Retry-After": "1"}
        )
    return encode_response(media, rejected, "; ".join(errors[:5]))


def _hex_id(value: Any, length: int) -> str | None:
    if not isinstance(value, str) or len(value) != length:
        return None
    try:
        return value.lower() if int(value, 16) else None
    except ValueError:
        return None


def group_traces(document: dict[str, Any]) -> tuple[list[_Trace], int, list[str]]:
    """Spans by trace; a span without valid ids is rejected (counted in partial_success)."""
    traces: dict[tuple[str, str | None, str | None], _Trace] = {}
    rejected, errors = 0, []
    for resource_spans in as_list(document.get("resourceSpans")):
        resource_spans = as_dict(resource_spans)
        resource = attributes(as_dict(resource_spans.get("resource")).get("attributes"))
        explicit, service = resource.get("agentgate.agent_id"), resource.get("service.name")
        for scope_spans in as_list(resource_spans.get("scopeSpans")):
            for span in as_list(as_dict(scope_spans).get("spans")):
                trace_id = _hex_id(span.get("traceId"), 32) if isinstance(span, dict) else None
                span_id = _hex_id(span.get("spanId"), 16) if isinstance(span, dict) else None
                if trace_id is None or span_id is None:
                    rejected += 1
                    errors.append("a span without a valid traceId and spanId")
                    continue
                span = {**span, "traceId": trace_id, "spanId": span_id, "_resource": resource}
                ids = (str(explicit) if explicit else None, str(service) if service else None)
                traces.setdefault((trace_id, *ids), _Trace(trace_id, *ids)).spans.append(span)
    return list(traces.values()), rejected, errors


def _time(nanos: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(nanos) / 1e9, UTC) if int(nanos) > 0 else datetime.now(UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.now(UTC)  # a span without a usable time is placed at its arrival


def _first(attrs: dict[str, Any], keys: tuple[str, ...]) -> Any:
    return next((attrs[k] for k in keys if attrs.get(k) is not None), None)


def _count(attrs: dict[str, Any], keys: tuple[str, ...]) -> int:
    value = _first(attrs, keys)
    return max(int(value), 0) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def token_usage(attrs: dict[str, Any]) -> TokenUsage | None:
    """Disjoint buckets from a span's usage attributes; None for a span that reports no usage."""
    keys = (*INPUT_KEYS, *OUTPUT_KEYS, *CACHE_READ_KEYS, *CACHE_WRITE_KEYS)
    if not any(attrs.get(k) is not None for k in keys):
        return None
    given = _count(attrs, INPUT_KEYS)
    cache_read, cache_write = _count(attrs, CACHE_READ_KEYS), _count(attrs, CACHE_WRITE_KEYS)
    # The OTel convention (and OpenInference) counts cache tokens inside input_tokens; Anthropic's
    # API does not. Fewer input tokens than cache tokens can only be the latter.
    exclusive = attrs.get(EXCLUSIVE_KEY) is True or given < cache_read + cache_write
    fresh = given if exclusive else given - cache_read - cache_write
    one_hour = min(_count(attrs, (CACHE_WRITE_1H_KEY,)), cache_write)
    return TokenUsage(
        input=fresh,
        output=_count(attrs, OUTPUT_KEYS),
        cache_read=cache_read,
        cache_write=cache_write - one_hour,
        cache_write_1h=one_hour,
    )


def _kind(attrs: dict[str, Any], usage: TokenUsage | None) -> str:
    operation = str(attrs.get("gen_ai.operation.name") or "")
    span_kind = str(attrs.get("openinference.span.kind") or "").lower()
    if operation in TOOL_OPERATIONS or span_kind == "tool":
        return "tool_call"
    if operation in LLM_OPERATIONS or span_kind == "llm":
        return "llm_call"
    if operation in AGENT_OPERATIONS or span_kind == "agent":
        return "agent"
    if usage is not None:
        return "llm_call"
    return "agent" if attrs.get("gen_ai.agent.name") else "span"


def is_local_root(span: dict[str, Any]) -> bool:
    """No parent, or a parent in another process (the span's flags say so): the run's root here."""
    if not span.get("parentSpanId"):
        return True
    try:
        flags = int(span.get("flags") or 0)
    except (TypeError, ValueError):
        return False
    return flags & PARENT_IS_REMOTE == PARENT_IS_REMOTE


def span_events(span: dict[str, Any]) -> tuple[list[dict[str, Any]], ModelCall | None, dict[str, Any]]:
    """A span -> its timeline events, its model call (an LLM span with usage) and a summary."""
    attrs = attributes(span.get("attributes"))
    usage = token_usage(attrs)
    start, end = _time(span.get("startTimeUnixNano")), _time(span.get("endTimeUnixNano"))
    status = as_dict(span.get("status"))
    failed = status.get("code") in STATUS_ERROR
    kind = _kind(attrs, usage)
    model, provider = _first(attrs, MODEL_KEYS), _first(attrs, PROVIDER_KEYS)
    payload = {
        "name": str(span.get("name") or "")[:256],
        "span_id": span["spanId"],
        "parent_span_id": span.get("parentSpanId") or None,
        "status": "error" if failed else "ok",
        "status_message": status.get("message"),
        "duration_ms": max(int((end - start).total_seconds() * 1000), 0),
        "model": model,
        "provider": provider,
        "token_usage": usage.model_dump() if usage else None,
        "attributes": {
            k: v for k, v in attrs.items() if k.startswith(("gen_ai.", "llm.", "tool.", "agentgate."))
        },
    }
    events = [{"event_id": span["spanId"], "type": kind, "timestamp": start, "payload": payload}]
    for n, event in enumerate([as_dict(e) for e in as_list(span.get("events"))][:EVENTS_PER_SPAN]):
        events.append(
            {
                "event_id": f"{span['spanId']}:{n}",
                "type": "span_event",
                "timestamp": _time(event.get("timeUnixNano")),
                "payload": {
                    "name": event.get("name"),
                    "span_id": span["spanId"],
                    **attributes(event.get("attributes")),
                },
            }
        )
    call = None
    if usage is not None:
        tier = _first(attrs, SERVICE_TIER_KEYS)
        batch = attrs.get("agentgate.batch") is True or str(tier).lower() == "batch"
        call = ModelCall(
            span_id=span["spanId"], model=model, provider=provider, at=start, token_usage=usage, batch=batch
        )
    summary = {
        "start": start,
        "end": end,
        "failed": failed,
        "root": is_local_root(span),
        "attrs": attrs,
    }
    return events, call, summary


def trace_records(ctx: TenantContext, trace: _Trace, resolver: _AgentResolver, index: int) -> list[_Outgoing]:
    """One trace -> stream records (one per fragment of at most SPANS_PER_RECORD spans)."""
    records: list[_Outgoing] = []
    chunk = SPANS_PER_RECORD
    spans = sorted(trace.spans, key=lambda s: int(s.get("startTimeUnixNano") or 0))
    position = 0
    while position < len(spans):
        part = spans[position : position + chunk]
        record = _record(ctx, trace, part, resolver, index + len(records))
        if len(record.data) > MAX_RUN_BYTES:
            if chunk == 1:
                raise PayloadTooLarge(f"a span of trace {trace.trace_id} is over {MAX_RUN_BYTES} bytes")
            chunk = max(chunk // 2, 1)
            continue
        records.append(record)
        position += len(part)
    return records


def _record(
    ctx: TenantContext, trace: _Trace, spans: list[dict[str, Any]], resolver: _AgentResolver, index: int
) -> _Outgoing:
    events, calls, summaries = [], [], []
    for span in spans:
        span_events_, call, summary = span_events(span)
        events += span_events_
        summaries.append(summary)
        if call is not None:
            calls.append(call)
    root = next((s for s in summaries if s["root"]), None)
    status = "error" if any(s["failed"] for s in summaries) else ("success" if root else "running")
    first_call = calls[0] if calls else None
    totals = {b: sum(getattr(c.token_usage, b) for c in calls) for b in TokenUsage.model_fields}
    agent_attrs = (root or summaries[0])["attrs"]
    # An agent token ingests for itself: only an explicit agentgate.agent_id is checked against it.
    named = trace.agent_id if ctx.principal.kind is Caller.AGENT else (trace.agent_id or trace.service)
    try:
        run = RunIn(
            run_id=f"otel-{trace.trace_id}",
            agent_id=named,
            status=status,  # type: ignore[arg-type]
            start_time=min(s["start"] for s in summaries),
            end_time=max(max(s["end"] for s in summaries), min(s["start"] for s in summaries)),
            model=str(first_call.model)[:128] if first_call and first_call.model else None,
            provider=str(first_call.provider)[:64] if first_call and first_call.provider else None,
            token_usage=TokenUsage(**totals),
            events=[RunEventIn(**e) for e in events],
            external_reference=str(agent_attrs.get("gen_ai.agent.name") or "")[:256] or None,
        )
    except ValidationError as exc:
        raise BadRequest(f"spans do not make a run: {exc.errors()[0]['msg']}") from exc
    agent_id, team = resolver.resolve(run)
    envelope = RunEnvelope(
        tenant_id=ctx.tenant_id,
        tier=ctx.tier,
        agent_id=agent_id,
        team=team,
        received_at=datetime.now(UTC),
        run=run,
        source="otlp",
        calls=calls,
        span_ids=[s["spanId"] for s in spans],
    )
    data = envelope.model_dump_json(exclude_none=True).encode()
    return _Outgoing(index=index, run_id=run.run_id, partition_key=f"{ctx.tenant_id}:{agent_id}", data=data)

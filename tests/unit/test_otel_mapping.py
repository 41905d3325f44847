"""The span-to-run mapping's pure parts: token normalization, event kinds, local roots."""

from agentgate.services.otel import _kind, is_local_root, token_usage


def test_otel_input_tokens_include_the_cache_and_are_made_disjoint():
    usage = token_usage({
        "gen_ai.usage.input_tokens": 1_500,
        "gen_ai.usage.cache_read.input_tokens": 1_000,
        "gen_ai.usage.cache_creation.input_tokens": 200,
        "gen_ai.usage.output_tokens": 50,
    })  # fmt: skip
    assert (usage.input, usage.cache_read, usage.cache_write, usage.output) == (300, 1_000, 200, 50)


def test_anthropic_style_counts_are_recognized_when_input_is_below_the_cache():
    usage = token_usage({"gen_ai.usage.input_tokens": 30, "gen_ai.usage.cache_read_input_tokens": 5_000})
    assert (usage.input, usage.cache_read) == (30, 5_000)


def test_the_exclusive_flag_keeps_input_as_sent():
    usage = token_usage({
        "gen_ai.usage.input_tokens": 9_000,
        "gen_ai.usage.cache_read.input_tokens": 1_000,
        "agentgate.usage.input_tokens_exclude_cache": True,
    })  # fmt: skip
    assert (usage.input, usage.cache_read) == (9_000, 1_000)


def test_one_hour_cache_writes_are_a_part_of_the_cache_writes():
    usage = token_usage({
        "llm.token_count.prompt": 5_000,
        "llm.token_count.prompt_details.cache_write": 4_000,
        "agentgate.usage.cache_write_1h_tokens": 3_000,
    })  # fmt: skip
    assert (usage.input, usage.cache_write, usage.cache_write_1h) == (1_000, 1_000, 3_000)


def test_a_span_without_usage_has_none():
    assert token_usage({"gen_ai.operation.name": "execute_tool"}) is None


def test_event_kinds():
    assert _kind({"gen_ai.operation.name": "chat", "gen_ai.agent.name": "x"}, None) == "llm_call"
    assert _kind({"gen_ai.operation.name": "invoke_agent"}, None) == "agent"
    assert _kind({"openinference.span.kind": "TOOL"}, None) == "tool_call"
    assert _kind({"gen_ai.agent.name": "planner"}, None) == "agent"
    assert _kind({}, None) == "span"


def test_a_span_whose_parent_is_remote_is_a_local_root():
    assert is_local_root({"spanId": "1"})
    assert is_local_root({"parentSpanId": "ab", "flags": 0x300})
    assert not is_local_root({"parentSpanId": "ab", "flags": 0x100})
    assert not is_local_root({"parentSpanId": "ab"})

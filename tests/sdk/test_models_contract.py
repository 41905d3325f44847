"""The SDK's models are generated from docs/openapi.json: this fails when they drift from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentgate_client import models

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTRACT = REPO_ROOT / "docs" / "openapi.json"
MODELS = REPO_ROOT / "sdk" / "src" / "agentgate_client" / "models.py"


def _generator():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "generate_models", REPO_ROOT / "sdk/tools/generate_models.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_models_are_what_the_contract_generates():
    generated = _generator().generate(json.loads(CONTRACT.read_text()))

    assert MODELS.read_text() == generated, (
        "sdk models drift from docs/openapi.json: run "
        "python sdk/tools/generate_models.py docs/openapi.json sdk/src/agentgate_client/models.py"
    )


def test_every_contract_object_schema_has_a_model_with_its_fields_and_required_set():
    schemas = json.loads(CONTRACT.read_text())["components"]["schemas"]
    for name, schema in schemas.items():
        if "properties" not in schema:
            continue
        model = models.MODELS[name]
        fields = {(f.alias or attr) for attr, f in model.model_fields.items()}
        required = {(f.alias or attr) for attr, f in model.model_fields.items() if f.is_required()}
        assert fields == set(schema["properties"]), name
        assert required == set(schema.get("required", [])), name


def test_a_changed_contract_changes_the_generated_models():
    contract = json.loads(CONTRACT.read_text())
    contract["components"]["schemas"]["Agent"]["properties"]["nickname"] = {"type": "string"}

    assert _generator().generate(contract) != MODELS.read_text()


@pytest.mark.parametrize(
    ("model", "sample"),
    [
        ("Run", "run"),
        ("AuthorizeDecision", {"decision": "pending", "approval_id": "apr_1", "reasons": []}),
    ],
)
def test_models_parse_answers_and_keep_unknown_fields(model, sample):
    if sample == "run":
        sample = {
            "id": "r", "run_id": "r", "agent_id": "a", "team": None, "status": "success",
            "start_time": "2026-11-23T10:00:00Z", "end_time": None, "latency_ms": 10, "model": "gpt-4o",
            "provider": "openai", "token_usage": {"input": 1, "output": 2, "cache_read": 0, "cache_write": 0},
            "cost_usd": "0.000012", "unpriced": False, "price_version": "v1", "external_reference": None,
            "policy_decisions": [], "event_count": 0, "received_at": "2026-11-23T10:00:01Z",
        }  # fmt: skip
    parsed = models.MODELS[model].model_validate({**sample, "added_later": 1})

    assert parsed.model_extra == {"added_later": 1}
    if model == "Run":
        from decimal import Decimal

        assert parsed.cost_usd == Decimal("0.000012") and parsed.start_time.tzinfo is not None

from pathlib import Path

from agentgate.openapi import document_text

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_committed_openapi_document_matches_the_code():
    assert COMMITTED.read_text() == document_text(), (
        "docs/openapi.json is stale: run `make openapi` and commit it"
    )

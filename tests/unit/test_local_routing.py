"""The local gateway matches paths to the routes table's templates as API Gateway's resource tree does."""

from agentgate.platform.tenancy import Caller
from agentgate.routes import Route
from infra.local.routing import RouteTable

PUBLIC = frozenset({Caller.PUBLIC})
TABLE = RouteTable(
    [
        Route("GET", "/api/v1/agents/{id}", "agents_get", PUBLIC, "", "t"),
        Route("DELETE", "/api/v1/agents/{id}", "agents_delete", PUBLIC, "", "t"),
        Route("GET", "/api/v1/agents/search", "agents_search", PUBLIC, "", "t"),
        Route("GET", "/agents/{tenant_id}/{agent_id}/did.json", "did", PUBLIC, "", "t"),
        Route("GET", "/files/{path+}", "files", PUBLIC, "", "t"),
        Route("GET", "/health", "health", PUBLIC, "", "t"),
    ]
)


def test_a_literal_segment_wins_over_a_parameter():
    match = TABLE.match("GET", "/api/v1/agents/search")
    assert match is not None and match.route is not None
    assert match.route.handler == "agents_search"


def test_parameters_are_extracted_by_name_and_url_decoded():
    match = TABLE.match("GET", "/agents/t%201/a1/did.json")
    assert match is not None and match.route is not None
    assert match.path_parameters == {"tenant_id": "t 1", "agent_id": "a1"}


def test_a_greedy_parameter_takes_the_rest_of_the_path():
    match = TABLE.match("GET", "/files/a/b/c.txt")
    assert match is not None and match.path_parameters == {"path": "a/b/c.txt"}


def test_a_known_path_with_another_method_names_the_allowed_methods():
    match = TABLE.match("POST", "/api/v1/agents/a1")
    assert match is not None and match.route is None
    assert match.allowed_methods == ("DELETE", "GET")


def test_an_unknown_path_matches_nothing():
    assert TABLE.match("GET", "/api/v1/nothing") is None
    assert TABLE.match("GET", "/api/v1/agents/a1/extra") is None


def test_a_trailing_slash_matches_the_same_route():
    match = TABLE.match("GET", "/health/")
    assert match is not None and match.route is not None and match.route.handler == "health"


def test_the_gateway_log_names_an_error_answers_code_and_first_detail():
    from types import SimpleNamespace

    from infra.local.gateway import _refusal

    refused = SimpleNamespace(
        status=400,
        body=b'{"error": {"code": "invalid_value", "message": "m", "details": '
        b'[{"field": "body", "message": "ValidationException"}]}}',
    )
    assert _refusal(refused) == " [invalid_value: body ValidationException]"
    assert _refusal(SimpleNamespace(status=404, body=b'{"error": {"code": "not_found", "details": []}}')) == (
        " [not_found]"
    )
    assert _refusal(SimpleNamespace(status=200, body=b'{"error": {"code": "x"}}')) == ""
    assert _refusal(SimpleNamespace(status=502, body=b"<html>")) == ""
    assert _refusal(SimpleNamespace(status=400, body=b"{not json")) == ""

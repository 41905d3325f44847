"""The local gateway over a real socket: any HTTP method gets the API's JSON answer, never an HTML page."""

import http.client

import pytest

from infra.local.gateway import GatewayServer
from tests.integration.test_local_gateway import gateway  # noqa: F401 - the fixture


@pytest.fixture
def server(gateway):  # noqa: F811 - the imported fixture
    import threading

    running = GatewayServer(("127.0.0.1", 0), gateway)
    thread = threading.Thread(target=running.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield running
    running.shutdown()
    running.server_close()


def send(server, method, path):
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request(method, path)
    reply = connection.getresponse()
    return reply.status, reply.getheader("Content-Type"), reply.getheader("Allow"), reply.read()


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PROPFIND", "OPTIONS"])
def test_a_method_the_route_lacks_is_a_json_405_with_allow(server, method):
    status, content_type, allow, body = send(server, method, "/api/v1/budgets")

    assert status == 405
    assert content_type == "application/json"
    assert allow == "GET, POST"
    assert b'"method_not_allowed"' in body


def test_an_unknown_method_on_an_unknown_path_is_a_json_404(server):
    status, content_type, _, _ = send(server, "TRACE", "/no/such/path")

    assert (status, content_type) == (404, "application/json")

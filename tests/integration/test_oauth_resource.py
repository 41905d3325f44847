"""Resource indicators (RFC 8707) and the JWT access token profile (RFC 9068) on every grant."""

from __future__ import annotations

import jwt
import pytest

from tests.support.oauth import basic, make_client, post_form, request_token, table_items, token_for

MCP_SERVER = "https://mcp.example.com/mcp"
EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token"


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def test_a_resource_the_agent_lists_becomes_the_audience(aws):
    client = make_client(audiences=[MCP_SERVER])

    reply = request_token(client, resource=MCP_SERVER)

    assert reply.status == 200, reply.text
    assert _claims(reply.json["access_token"])["aud"] == MCP_SERVER
    assert jwt.get_unverified_header(reply.json["access_token"])["typ"] == "at+jwt"


def test_without_a_resource_the_audience_is_the_deployments(aws):
    client = make_client(audiences=[MCP_SERVER])

    assert _claims(token_for(client))["aud"] == "agentgate"


@pytest.mark.parametrize(
    ("form", "fragment"),
    [
        ({"resource": "https://other.example.com/mcp"}, "not one of the agent's audiences"),
        ({"resource": "not a uri"}, "absolute URI"),
        ({"resource": f"{MCP_SERVER}#frag"}, "without a fragment"),
        ({"audience": "https://other.example.com"}, "not one of the agent's audiences"),
    ],
)
def test_an_unlisted_or_malformed_target_is_invalid_target_and_issues_nothing(aws, form, fragment):
    client = make_client(audiences=[MCP_SERVER])
    before = table_items()

    reply = request_token(client, **form)

    assert reply.status == 400, reply.text
    assert reply.json["error"] == "invalid_target" and fragment in reply.json["error_description"]
    assert table_items() == before


def test_resource_and_audience_must_agree(aws):
    client = make_client(audiences=[MCP_SERVER, "https://b.example.com"])

    reply = request_token(client, resource=MCP_SERVER, audience="https://b.example.com")

    assert reply.status == 400 and reply.json["error"] == "invalid_request"


def test_a_delegated_token_takes_a_resource_of_its_subject_agent(aws):
    subject = make_client(audiences=[MCP_SERVER])
    actor = make_client(subject.tenant_id)
    form = {"grant_type": EXCHANGE, "subject_token": token_for(subject), "subject_token_type": ACCESS_TOKEN}
    headers = {"Authorization": basic(actor.client_id, actor.client_secret)}

    granted = post_form("/oauth2/token", {**form, "resource": MCP_SERVER}, headers=headers)
    refused = post_form("/oauth2/token", {**form, "resource": "https://x.example.com"}, headers=headers)

    assert _claims(granted.json["access_token"])["aud"] == MCP_SERVER
    assert refused.status == 400 and refused.json["error"] == "invalid_target"

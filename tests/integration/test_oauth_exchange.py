"""Token exchange (RFC 8693) for agent-to-agent delegation."""

from __future__ import annotations

import jwt

from agentgate.models import AgentItem
from tests.support.oauth import basic, make_client, post_form, set_status, table_items, token_for

EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token"


def _exchange(actor, subject_token: str, **form: str):
    return post_form(
        "/oauth2/token",
        {
            "grant_type": EXCHANGE,
            "subject_token": subject_token,
            "subject_token_type": ACCESS_TOKEN,
            **form,
        },
        headers={"Authorization": basic(actor.client_id, actor.client_secret)},
    )


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def test_a_delegated_token_acts_for_the_subject_with_the_scopes_both_hold(aws):
    subject = make_client(scopes={"runs:write", "authorize", "costs:read"})
    actor = make_client(subject.tenant_id, scopes={"authorize", "costs:read", "agents:read"})

    reply = _exchange(actor, token_for(subject))

    assert reply.status == 200, reply.text
    assert reply.json["issued_token_type"] == ACCESS_TOKEN
    claims = _claims(reply.json["access_token"])
    assert claims["sub"] == subject.agent_id
    assert claims["act"] == {"sub": actor.agent_id, "client_id": actor.client_id}
    assert claims["scope"] == "authorize costs:read" == reply.json["scope"]


def test_a_delegated_token_never_outlives_its_subject_token(aws):
    subject = make_client()
    actor = make_client(subject.tenant_id)
    subject_token = token_for(subject)

    delegated = _claims(_exchange(actor, subject_token).json["access_token"])

    assert delegated["exp"] <= _claims(subject_token)["exp"]


def test_a_second_delegation_nests_the_previous_actor(aws):
    subject = make_client()
    first = make_client(subject.tenant_id)
    second = make_client(subject.tenant_id)
    once = _exchange(first, token_for(subject)).json["access_token"]

    twice = _claims(_exchange(second, once).json["access_token"])

    assert twice["act"]["sub"] == second.agent_id
    assert twice["act"]["act"]["sub"] == first.agent_id


def test_asking_for_more_than_the_intersection_is_invalid_scope(aws):
    subject = make_client(scopes={"runs:write"})
    actor = make_client(subject.tenant_id, scopes={"runs:write", "agents:control"})

    reply = _exchange(actor, token_for(subject), scope="agents:control")

    assert reply.status == 400 and reply.json["error"] == "invalid_scope"


def test_another_tenants_subject_token_is_refused(aws):
    subject = make_client()
    actor = make_client()  # its own tenant
    before = table_items()

    reply = _exchange(actor, token_for(subject))

    assert reply.status == 400 and reply.json["error"] == "invalid_request"
    assert table_items() == before


def test_an_unsupported_subject_token_type_is_refused(aws):
    subject = make_client()
    actor = make_client(subject.tenant_id)

    reply = _exchange(
        actor, token_for(subject), subject_token_type="urn:ietf:params:oauth:token-type:id_token"
    )

    assert reply.status == 400 and reply.json["error"] == "invalid_request"
    assert "subject_token_type" in reply.json["error_description"]


def test_a_forged_subject_token_is_refused(aws):
    subject = make_client()
    actor = make_client(subject.tenant_id)
    token = token_for(subject)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")

    reply = _exchange(actor, forged)

    assert reply.status == 400 and reply.json["error"] == "invalid_request"


def test_a_paused_subject_agent_cannot_be_delegated(aws):
    subject = make_client()
    actor = make_client(subject.tenant_id)
    token = token_for(subject)
    set_status(AgentItem, subject.tenant_id, AgentItem.sk_for(subject.agent_id), "paused")

    reply = _exchange(actor, token)

    assert reply.status == 400 and "paused" in reply.json["error_description"]


def test_a_missing_subject_token_is_invalid_request(aws):
    actor = make_client()

    reply = post_form(
        "/oauth2/token",
        {"grant_type": EXCHANGE},
        headers={"Authorization": basic(actor.client_id, actor.client_secret)},
    )

    assert reply.status == 400 and reply.json["error"] == "invalid_request"


def test_a_delegated_token_introspects_with_its_act_claim(aws):
    subject = make_client()
    actor = make_client(subject.tenant_id)
    delegated = _exchange(actor, token_for(subject)).json["access_token"]

    reply = post_form(
        "/oauth2/introspect",
        {"token": delegated},
        headers={"Authorization": basic(subject.client_id, subject.client_secret)},
    )

    assert reply.json["active"] is True and reply.json["sub"] == subject.agent_id
    assert reply.json["act"]["sub"] == actor.agent_id

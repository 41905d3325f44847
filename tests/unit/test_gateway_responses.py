"""The local gateway answers API Gateway's own refusals from the same table CDK deploys."""

import json

import pytest

from agentgate.gateway_responses import GATEWAY_RESPONSES, gateway_response
from infra.local.gateway import gateway_reply


@pytest.mark.parametrize("row", [r for r in GATEWAY_RESPONSES if r.status], ids=lambda r: r.type)
def test_each_gateway_refusal_answers_the_tables_status_code_and_message(row):
    reply = gateway_reply(row.type)
    assert reply.status == row.status
    assert json.loads(reply.body) == {"error": {"code": row.code, "message": row.message, "details": []}}


def test_a_family_response_takes_the_status_the_gateway_chose():
    reply = gateway_reply("DEFAULT_5XX", 502)
    assert reply.status == 502 and json.loads(reply.body)["error"]["code"] == "service_unavailable"
    with pytest.raises(ValueError):
        gateway_reply("DEFAULT_5XX")


def test_limits_tell_the_client_when_to_come_back():
    assert gateway_response("THROTTLED").retry_after == "1"
    assert gateway_response("QUOTA_EXCEEDED").retry_after == "3600"

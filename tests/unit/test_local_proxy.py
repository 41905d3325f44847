"""Lambda proxy results become HTTP as API Gateway turns them; task ARNs name their handler."""

import pytest

from infra.local.gateway import proxy_result_to_http
from infra.local.statemachines import function_name


def test_headers_and_multi_value_headers_are_merged_multi_value_winning():
    reply = proxy_result_to_http(
        {
            "statusCode": 201,
            "headers": {"X-One": "1", "Set-Cookie": "ignored"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": "{}",
        }
    )
    assert reply.status == 201
    assert reply.headers == [("X-One", "1"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]


def test_a_missing_body_is_empty():
    assert proxy_result_to_http({"statusCode": 204}).body == b""


@pytest.mark.parametrize("result", [None, "text", {"body": "no status"}, {"statusCode": "200"}])
def test_a_malformed_proxy_result_is_a_502(result):
    reply = proxy_result_to_http(result)
    assert reply.status == 502
    assert reply.json()["error"]["code"] == "service_unavailable"


@pytest.mark.parametrize(
    "name_or_arn",
    [
        "arn:aws:lambda:us-east-1:123456789012:function:approval_request",
        "arn:aws:lambda:us-east-1:123456789012:function:approval_request:$LATEST",
        "123456789012:function:approval_request",
        "approval_request",
    ],
)
def test_every_form_of_a_function_name_names_the_handler(name_or_arn):
    assert function_name(name_or_arn) == "approval_request"

"""The OAuth form and client authentication rules (RFC 6749 §2.3.1, §3.2)."""

import base64

import pytest
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from agentgate.auth.errors import InvalidClient, OAuthError
from agentgate.auth.http import parse_form, presented_caller, presented_client, read_form
from agentgate.schemas.oauth import TokenRequest
from infra.local.apigw import rest_event

FORM = "application/x-www-form-urlencoded"


def _event(body: str, headers: dict[str, str] | None = None) -> APIGatewayProxyEvent:
    return APIGatewayProxyEvent(
        rest_event(
            "POST",
            "/oauth2/token",
            "/oauth2/token",
            body=body,
            headers={"Content-Type": FORM, **(headers or {})},
        )
    )


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_an_empty_parameter_counts_as_absent():
    assert read_form(_event("grant_type=client_credentials&scope=")) == {"grant_type": "client_credentials"}


def test_a_repeated_parameter_is_invalid_request():
    with pytest.raises(OAuthError) as refused:
        read_form(_event("scope=a&scope=b"))
    assert refused.value.error == "invalid_request" and "scope" in refused.value.description


def test_a_body_that_is_not_a_form_is_invalid_request():
    event = APIGatewayProxyEvent(
        rest_event(
            "POST", "/oauth2/token", "/oauth2/token", body="{}", headers={"Content-Type": "application/json"}
        )
    )
    with pytest.raises(OAuthError) as refused:
        read_form(event)
    assert refused.value.error == "invalid_request"


def test_a_content_type_with_a_charset_is_accepted():
    event = APIGatewayProxyEvent(
        rest_event("POST", "/", "/", body="a=b", headers={"content-type": f"{FORM}; charset=UTF-8"})
    )
    assert read_form(event) == {"a": "b"}


def test_unknown_parameters_are_ignored_and_a_missing_grant_type_names_the_field():
    assert parse_form(TokenRequest, {"grant_type": "x", "foo": "bar"}).grant_type == "x"
    with pytest.raises(OAuthError) as refused:
        parse_form(TokenRequest, {"foo": "bar"})
    assert "grant_type" in refused.value.description


def test_basic_credentials_are_form_url_decoded():
    client = presented_client(_event("", {"Authorization": _basic("agc_a%2Bb", "s%3Acret")}), {})
    assert (client.client_id, client.client_secret, client.method) == (
        "agc_a+b",
        "s:cret",
        "client_secret_basic",
    )


def test_post_credentials_are_read_from_the_form():
    client = presented_client(_event(""), {"client_id": "agc_1", "client_secret": "ags_2"})
    assert (client.client_id, client.method) == ("agc_1", "client_secret_post")


def test_a_client_id_in_the_form_must_match_the_basic_one():
    with pytest.raises(OAuthError):
        presented_client(_event("", {"Authorization": _basic("agc_1", "s")}), {"client_id": "agc_2"})


def test_a_client_id_without_a_secret_is_invalid_client():
    with pytest.raises(InvalidClient):
        presented_client(_event(""), {"client_id": "agc_1"})


def test_an_api_key_is_a_caller_only_where_allowed():
    event = _event("", {"Authorization": "Bearer agk_abc"})

    assert presented_caller(event, {}, allow_api_key=True).api_key == "agk_abc"
    with pytest.raises(InvalidClient):
        presented_caller(event, {}, allow_api_key=False)


def test_an_invalid_client_error_carries_a_basic_challenge():
    assert InvalidClient().headers["WWW-Authenticate"].startswith("Basic ")
    assert InvalidClient().status == 401

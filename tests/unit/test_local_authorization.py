"""The local gateway runs the REQUEST authorizer as API Gateway does: identity source, TTL cache, policy."""

import pytest

from infra.local.apigw import authorizer_request_event
from infra.local.authorization import AuthorizerCache, policy_allows

API = "arn:aws:execute-api:us-east-1:123456789012:api1/v1"


def _policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _statement(effect, resource, action="execute-api:Invoke"):
    return {"Effect": effect, "Action": action, "Resource": resource}


def test_an_allow_on_the_api_prefix_covers_every_method_arn():
    assert policy_allows(_policy(_statement("Allow", f"{API}/*")), f"{API}/GET/api/v1/agents/a1")


def test_an_explicit_deny_wins_over_an_allow():
    policy = _policy(_statement("Allow", f"{API}/*"), _statement("Deny", f"{API}/DELETE/*"))
    assert policy_allows(policy, f"{API}/GET/api/v1/agents")
    assert not policy_allows(policy, f"{API}/DELETE/api/v1/agents/a1")


def test_a_policy_without_a_matching_statement_does_not_allow():
    assert not policy_allows(_policy(_statement("Allow", f"{API}/GET/health")), f"{API}/POST/health")
    assert not policy_allows(_policy(_statement("Allow", f"{API}/*", action="s3:GetObject")), f"{API}/GET/x")


class Clock:
    now = 1000.0

    def __call__(self):
        return self.now


def _authorizer(calls, answer):
    def authorizer(event, context):
        calls.append(event["headers"].get("Authorization"))
        if isinstance(answer, Exception):
            raise answer
        return answer

    return lambda: authorizer


def _event(path="/api/v1/agents", token="Bearer t1", method="GET"):
    headers = {"Authorization": token} if token else {}
    return authorizer_request_event(method, path, path, headers, api_id="api1")


ALLOW_ALL = {
    "principalId": "p",
    "policyDocument": _policy(_statement("Allow", f"{API}/*")),
    "context": {"a": 1},
}


def test_a_result_is_reused_within_the_ttl_and_asked_again_after_it():
    calls, clock = [], Clock()
    cache = AuthorizerCache(_authorizer(calls, ALLOW_ALL), ttl_seconds=60, clock=clock)
    assert cache.authorize(_event()).status == 200
    clock.now += 59
    assert cache.authorize(_event()).status == 200
    assert len(calls) == 1
    clock.now += 1
    assert cache.authorize(_event()).status == 200
    assert len(calls) == 2


def test_a_ttl_of_zero_asks_the_authorizer_every_time():
    calls = []
    cache = AuthorizerCache(_authorizer(calls, ALLOW_ALL), ttl_seconds=0, clock=Clock())
    cache.authorize(_event())
    cache.authorize(_event())
    assert len(calls) == 2


def test_a_cached_policy_is_evaluated_against_each_requests_method_arn():
    narrow = {"principalId": "p", "policyDocument": _policy(_statement("Allow", f"{API}/GET/api/v1/agents"))}
    calls = []
    cache = AuthorizerCache(_authorizer(calls, narrow), ttl_seconds=60, clock=Clock())
    assert cache.authorize(_event("/api/v1/agents")).status == 200
    assert cache.authorize(_event("/api/v1/budgets")).status == 403
    assert len(calls) == 1


def test_a_missing_authorization_header_is_401_without_calling_the_authorizer():
    calls = []
    cache = AuthorizerCache(_authorizer(calls, ALLOW_ALL), ttl_seconds=60, clock=Clock())
    assert cache.authorize(_event(token=None)).status == 401
    assert calls == []


def test_unauthorized_is_401_and_is_not_cached():
    calls = []
    cache = AuthorizerCache(_authorizer(calls, Exception("Unauthorized")), ttl_seconds=60, clock=Clock())
    assert cache.authorize(_event()).status == 401
    assert cache.authorize(_event()).status == 401
    assert len(calls) == 2


@pytest.mark.parametrize(
    "answer",
    [RuntimeError("bug"), {"principalId": "p"}, {**ALLOW_ALL, "context": {"nested": {"no": 1}}}],
    ids=["raises", "no-policy", "nested-context"],
)
def test_a_broken_authorizer_is_a_500(answer):
    errors = []
    cache = AuthorizerCache(_authorizer([], answer), ttl_seconds=60, clock=Clock(), on_error=errors.append)
    assert cache.authorize(_event()).status == 500
    assert len(errors) == 1


def test_the_result_carries_context_and_usage_key():
    answer = {**ALLOW_ALL, "usageIdentifierKey": "key-1"}
    verdict = AuthorizerCache(_authorizer([], answer), ttl_seconds=60, clock=Clock()).authorize(_event())
    assert verdict.result is not None
    assert verdict.result.context == {"a": 1}
    assert verdict.result.usage_identifier_key == "key-1"

"""Envelope signing: the key sealed under KMS, opened once per container, tokens signed in process."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet

from agentgate.auth import envelope, tokens
from agentgate.auth.keys import ACTIVATION_DELAY_SECONDS, key_set_cache
from agentgate.auth.rotation import ensure_signing_key, rotate_signing_key
from agentgate.models import CredentialItem, SigningKeysItem
from agentgate.platform.settings import reset_settings
from agentgate.services import analytics_batch
from tests.support.api import call
from tests.support.aws_calls import counting_aws_calls
from tests.support.oauth import basic, make_client, post_form, request_token, token_for


@pytest.fixture
def envelope_key(aws):
    """What the deploy's trigger (and the local stack) does: the first envelope key, signing at once."""
    rotation = ensure_signing_key()
    assert rotation is not None and rotation.kind == "envelope"
    key_set_cache.clear()
    return rotation


def _activated_ago() -> datetime:
    return datetime.now(UTC) - timedelta(seconds=ACTIVATION_DELAY_SECONDS + 1)


def _published() -> KeySet:
    key_set_cache.clear()
    return KeySet.import_key_set(call("GET", "/.well-known/jwks.json").json)


def _kid(token: str) -> str:
    return str(tokens.peek_header(token)["kid"])


def test_the_first_envelope_key_signs_at_once_and_its_tokens_verify_with_the_published_jwks(envelope_key):
    client = make_client()

    token = token_for(client)

    assert _kid(token) == envelope_key.kid
    claims = jose_jwt.decode(token, _published(), algorithms=["ES256"]).claims
    assert claims["sub"] == client.agent_id


def test_ensuring_a_key_twice_rotates_once(envelope_key):
    assert ensure_signing_key() is None
    item = SigningKeysItem.get(SigningKeysItem.KEY, SigningKeysItem.KEY)
    assert item.current_kid == envelope_key.kid


def test_the_table_holds_the_private_key_only_sealed_and_bound_to_its_kid(envelope_key):
    item = SigningKeysItem.get(SigningKeysItem.KEY, SigningKeysItem.KEY)
    sealed = item.current_sealed_private_key
    private = envelope.opened_keys.get(item.current_kid, sealed, item.current_key_id)
    der = private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    scalar = private.private_numbers().private_value.to_bytes(32, "big")
    stored = json.dumps(item.serialize()).encode()

    for secret in (der, scalar):
        for form in (secret, base64.b64encode(secret), base64.urlsafe_b64encode(secret).rstrip(b"=")):
            assert form not in stored
    envelope.opened_keys.clear()
    with pytest.raises(Exception) as refused:  # KMS refuses the context, or AES-GCM the kid
        envelope.opened_keys.get("another-kid", sealed, item.current_key_id)
    assert refused.type.__name__ in {"InvalidCiphertextException", InvalidTag.__name__}


def test_a_warm_container_issues_a_token_with_one_dynamodb_read_and_no_kms_call(envelope_key, monkeypatch):
    monkeypatch.setattr(analytics_batch.issued_tokens, "max_age_seconds", 3600.0)
    client = make_client()
    with counting_aws_calls() as calls:
        token_for(client)  # warm: key set read, private key opened
        calls.clear()

        token = token_for(client)

    assert dict(calls) == {"dynamodb.BatchGetItem": 1}
    assert _kid(token) == envelope_key.kid


def test_a_container_opens_the_sealed_key_once_for_all_its_tokens(envelope_key):
    client = make_client()
    with counting_aws_calls() as calls:
        for _ in range(5):
            token_for(client)

    assert calls["kms.Decrypt"] == 1
    assert calls["kms.Sign"] == 0


def _stream_records() -> list[dict]:
    from agentgate.platform.aws import client
    from agentgate.platform.settings import get_settings

    kinesis = client("kinesis")
    name = get_settings().analytics_stream
    shard = kinesis.describe_stream(StreamName=name)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = kinesis.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    return [json.loads(r["Data"]) for r in records]


def test_token_issued_records_wait_and_go_out_together_in_one_put(envelope_key, monkeypatch):
    monkeypatch.setattr(analytics_batch.issued_tokens, "max_age_seconds", 3600.0)
    client = make_client()
    analytics_batch.issued_tokens.flush()
    for _ in range(3):
        token_for(client)
    assert [r for r in _stream_records() if r["kind"] == "token_issued"] == []

    with counting_aws_calls() as calls:
        sent = analytics_batch.issued_tokens.flush()

    assert sent == 3 and dict(calls) == {"kinesis.PutRecords": 1}
    issued = [r for r in _stream_records() if r["kind"] == "token_issued"]
    assert [(r["tenant_id"], r["dims"]["agent_id"]) for r in issued] == [
        (client.tenant_id, client.agent_id)
    ] * 3


def test_a_token_after_a_quiet_second_puts_its_record_at_once(envelope_key, monkeypatch):
    monkeypatch.setattr(analytics_batch.issued_tokens, "_sent_at", float("-inf"))
    client = make_client()

    token_for(client)

    assert analytics_batch.issued_tokens.pending == 0
    assert [r["dims"]["client_id"] for r in _stream_records() if r["kind"] == "token_issued"] == [
        client.client_id
    ]


def test_two_rotations_publish_every_key_and_the_tokens_of_each_verify_with_joserfc(envelope_key):
    client = make_client()
    signed = [token_for(client)]
    first = rotate_signing_key(_activated_ago())
    key_set_cache.clear()
    signed.append(token_for(client))
    second = rotate_signing_key(_activated_ago())
    key_set_cache.clear()
    signed.append(token_for(client))

    published = _published()

    bootstrap = envelope_key.previous_kid  # the alias's KMS key, which signed before the first rotation
    assert [k.kid for k in published.keys] == [second.kid, first.kid, envelope_key.kid, bootstrap]
    assert [_kid(t) for t in signed] == [envelope_key.kid, first.kid, second.kid]
    assert first.kind == second.kind == "envelope"
    for token in signed:
        assert jose_jwt.decode(token, published, algorithms=["ES256"]).claims["sub"] == client.agent_id
        assert tokens.verify(token).claims["sub"] == client.agent_id  # the authorizer's check too


def test_right_after_a_rotation_the_previous_envelope_key_still_signs(envelope_key):
    client = make_client()

    rotation = rotate_signing_key()
    key_set_cache.clear()

    assert _kid(token_for(client)) == envelope_key.kid == rotation.previous_kid
    assert {k.kid for k in _published().keys} == {rotation.kid, envelope_key.kid, envelope_key.previous_kid}


def test_switching_to_kms_signing_rotates_to_a_kms_key_and_keeps_the_envelope_key_published(
    envelope_key, monkeypatch
):
    from agentgate.platform.aws import client as aws_client

    old_token = token_for(make_client())
    monkeypatch.setenv("SIGNING_MODE", "kms")
    reset_settings()

    rotation = ensure_signing_key(_activated_ago())
    key_set_cache.clear()
    new_token = token_for(make_client())

    assert rotation is not None and rotation.kind == "kms"
    alias = aws_client("kms").describe_key(KeyId="alias/agentgate-token-signing")["KeyMetadata"]["KeyId"]
    assert rotation.key_id == alias and _kid(new_token) == rotation.kid
    published = _published()
    for token in (old_token, new_token):
        jose_jwt.decode(token, published, algorithms=["ES256"])


def test_an_unknown_signing_mode_is_refused_before_any_key_is_made(aws, monkeypatch):
    monkeypatch.setenv("SIGNING_MODE", "hsm")
    reset_settings()

    with pytest.raises(ValueError, match="SIGNING_MODE"):
        rotate_signing_key()
    assert SigningKeysItem.count(SigningKeysItem.KEY) == 0


def test_a_client_id_of_the_older_form_still_gets_a_token(envelope_key):
    client = make_client()
    stored = CredentialItem.get(CredentialItem.pk_for(client.client_id), CredentialItem.SK)
    legacy_id = "agc_Zx9opaqueLegacyId01"
    stored.pk = CredentialItem.pk_for(legacy_id)
    stored.client_id = legacy_id
    stored.save()

    reply = post_form(
        "/oauth2/token",
        {"grant_type": "client_credentials"},
        headers={"Authorization": basic(legacy_id, client.client_secret)},
    )

    assert reply.status == 200, reply.text
    assert tokens.verify(reply.json["access_token"]).claims["client_id"] == legacy_id


def test_a_client_id_naming_another_agent_is_refused(envelope_key):
    client = make_client()
    other = make_client(client.tenant_id)
    forged = client.client_id.replace(client.agent_id, other.agent_id)

    reply = post_form(
        "/oauth2/token",
        {"grant_type": "client_credentials"},
        headers={"Authorization": basic(forged, client.client_secret)},
    )

    assert reply.status == 401 and reply.json["error"] == "invalid_client"
    assert request_token(client).status == 200


def test_the_schedule_makes_the_first_key_then_rotates_only_once_the_key_is_due(aws, monkeypatch):
    from functions import rotate_signing_key as rotation_function
    from infra.local.apigw import LambdaContext

    def fire() -> dict:
        event = {"detail-type": "Scheduled Event", "source": "aws.events", "detail": {}}
        return rotation_function.handler(event, LambdaContext(function_name="rotate_signing_key"))

    first = fire()
    assert first["rotated"] is True and first["kind"] == "envelope"
    assert fire() == {"rotated": False}  # fresh: not due

    monkeypatch.setenv("SIGNING_KEY_ROTATION_DAYS", "0")
    reset_settings()
    second = fire()

    assert second["rotated"] is True and second["previous_kid"] == first["kid"]
    item = SigningKeysItem.get(SigningKeysItem.KEY, SigningKeysItem.KEY)
    assert item.current_kid == second["kid"] and item.previous[0].kid == first["kid"]


def test_a_key_younger_than_the_rotation_age_is_kept(envelope_key):
    from agentgate.auth.rotation import rotate_if_due

    assert rotate_if_due(datetime.now(UTC) + timedelta(days=29)) is None
    due = rotate_if_due(datetime.now(UTC) + timedelta(days=30, seconds=1))
    assert due is not None and due.previous_kid == envelope_key.kid

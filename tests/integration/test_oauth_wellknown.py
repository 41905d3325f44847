"""Discovery, JWKS and signing-key rotation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet

from agentgate.auth.keys import ACTIVATION_DELAY_SECONDS, key_set_cache
from agentgate.auth.rotation import rotate_signing_key
from agentgate.models import SigningKeysItem
from tests.support.api import call
from tests.support.oauth import make_client, token_for


def test_both_discovery_documents_name_the_endpoints_and_auth_methods(aws):
    for path in ("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"):
        reply = call("GET", path)

        assert reply.status == 200
        meta = reply.json
        assert meta["issuer"] == "http://127.0.0.1:8000"
        assert meta["token_endpoint"] == "http://127.0.0.1:8000/oauth2/token"
        assert meta["jwks_uri"] == "http://127.0.0.1:8000/.well-known/jwks.json"
        assert meta["introspection_endpoint"].endswith("/oauth2/introspect")
        assert meta["revocation_endpoint"].endswith("/oauth2/revoke")
        assert set(meta["token_endpoint_auth_methods_supported"]) == {
            "client_secret_basic",
            "client_secret_post",
        }
        assert "client_credentials" in meta["grant_types_supported"]


def test_the_jwks_publishes_the_p256_signing_key_with_a_thumbprint_kid(aws):
    reply = call("GET", "/.well-known/jwks.json")

    [key] = reply.json["keys"]
    assert (key["kty"], key["crv"], key["alg"], key["use"]) == ("EC", "P-256", "ES256", "sig")
    assert key["kid"] == KeySet.import_key_set(reply.json).keys[0].thumbprint()
    assert "d" not in key


def _activated_ago() -> datetime:
    """A rotation time whose activation delay is over."""
    return datetime.now(UTC) - timedelta(seconds=ACTIVATION_DELAY_SECONDS + 1)


def test_right_after_a_rotation_the_new_key_is_published_but_the_old_one_still_signs(aws):
    client = make_client()
    before = jwt.get_unverified_header(token_for(client))["kid"]

    rotation = rotate_signing_key()
    token = token_for(client)
    kids = [k["kid"] for k in call("GET", "/.well-known/jwks.json").json["keys"]]

    assert jwt.get_unverified_header(token)["kid"] == before == rotation.previous_kid
    assert set(kids) == {rotation.kid, rotation.previous_kid}


def test_after_the_activation_delay_new_tokens_use_the_new_key_and_old_tokens_still_verify(aws):
    client = make_client()
    old_token = token_for(client)

    rotation = rotate_signing_key(_activated_ago())
    new_token = token_for(client)
    jwks = call("GET", "/.well-known/jwks.json").json

    assert [k["kid"] for k in jwks["keys"]] == [rotation.kid, rotation.previous_kid]
    assert jwt.get_unverified_header(new_token)["kid"] == rotation.kid
    assert jwt.get_unverified_header(old_token)["kid"] == rotation.previous_kid
    keys = KeySet.import_key_set(jwks)
    for token in (old_token, new_token):
        assert jose_jwt.decode(token, keys, algorithms=["ES256"]).claims["sub"] == client.agent_id


def test_a_kms_mode_rotation_moves_the_alias_and_keeps_the_previous_key_until_its_tokens_expire(
    aws, monkeypatch
):
    from agentgate.platform.aws import client
    from agentgate.platform.settings import reset_settings

    monkeypatch.setenv("SIGNING_MODE", "kms")
    reset_settings()
    now = datetime.now(UTC)
    rotation = rotate_signing_key(now)

    kms = client("kms")
    target = kms.describe_key(KeyId="alias/agentgate-token-signing")["KeyMetadata"]["KeyId"]
    assert target == rotation.key_id
    tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=rotation.key_id)["Tags"]}
    assert tags == {"agentgate:purpose": "token-signing"}  # what IAM grants signing on
    item = SigningKeysItem.get(SigningKeysItem.KEY, SigningKeysItem.KEY)
    [previous] = item.previous
    assert previous.retire_after >= now + timedelta(seconds=900)


def test_a_retired_key_leaves_the_jwks(aws):
    first = rotate_signing_key(datetime.now(UTC) - timedelta(days=1))
    second = rotate_signing_key(_activated_ago())

    key_set_cache.clear()
    kids = [k["kid"] for k in call("GET", "/.well-known/jwks.json").json["keys"]]

    assert kids == [second.kid, first.kid]  # the key rotated out a day ago is gone

"""Client secrets: high entropy, stored as a hash, compared in constant time."""

import pytest

from agentgate.auth.secrets import (
    client_id_owner,
    hash_secret,
    new_client_id,
    new_client_secret,
    secret_matches,
)


def test_a_secret_carries_256_random_bits_and_is_never_repeated():
    secrets = {new_client_secret() for _ in range(100)}

    assert len(secrets) == 100
    assert all(s.startswith("ags_") and len(s) == 4 + 43 for s in secrets)  # 32 bytes base64url


def test_the_stored_hash_does_not_contain_the_secret():
    secret = new_client_secret()

    stored = hash_secret(secret)

    assert stored.startswith("sha256:") and secret not in stored


def test_the_right_secret_matches_its_hash_and_a_wrong_one_does_not():
    secret = new_client_secret()
    stored = hash_secret(secret)

    assert secret_matches(secret, stored)
    assert not secret_matches(new_client_secret(), stored)


def test_nothing_matches_a_missing_hash():
    assert not secret_matches("ags_x", None)


def test_client_ids_are_prefixed_and_unique():
    ids = {new_client_id("ten_0123456789abcdef", "agt_0123456789abcdef") for _ in range(100)}

    assert len(ids) == 100 and all(i.startswith("agc_") for i in ids)


def test_a_client_id_names_its_tenant_and_agent():
    client_id = new_client_id("ten_0123456789abcdef", "agt_fedcba9876543210")

    assert client_id_owner(client_id) == ("ten_0123456789abcdef", "agt_fedcba9876543210")


@pytest.mark.parametrize(
    "client_id",
    ["agc_Zx9-opaque_random", "agc_ten_1.agt_2", "agc_.agt_2.r", "agc_ten_1..r", "xyz_ten_1.agt_2.r", ""],
)
def test_an_older_or_foreign_client_id_names_no_owner(client_id):
    assert client_id_owner(client_id) is None

"""The audit chain's hash: SHA-256 over the previous hash and the RFC 8785 form of the entry."""

import hashlib

from agentgate.services.audit import GENESIS_HASH, entry_hash

BODY = {
    "seq": 1,
    "tenant_id": "ten_1",
    "at": "2026-01-01T00:00:00.000000Z",
    "actor": "user:u",
    "action": "a",
    "target": "t",
    "details": {"b": 1, "a": [1.5, "x"]},
}


def test_the_hash_covers_the_previous_hash_and_the_canonical_entry():
    canonical = (
        b'{"action":"a","actor":"user:u","at":"2026-01-01T00:00:00.000000Z","details":{"a":[1.5,"x"],"b":1},'
        b'"seq":1,"target":"t","tenant_id":"ten_1"}'
    )

    assert entry_hash(GENESIS_HASH, BODY) == hashlib.sha256(GENESIS_HASH.encode() + canonical).hexdigest()


def test_key_order_does_not_change_the_hash():
    reordered = dict(reversed(list(BODY.items())))

    assert entry_hash(GENESIS_HASH, reordered) == entry_hash(GENESIS_HASH, BODY)


def test_any_change_to_the_entry_or_the_previous_hash_changes_the_hash():
    original = entry_hash(GENESIS_HASH, BODY)

    assert entry_hash("1" * 64, BODY) != original
    assert entry_hash(GENESIS_HASH, BODY | {"target": "u"}) != original
    assert entry_hash(GENESIS_HASH, BODY | {"details": {"b": 2, "a": [1.5, "x"]}}) != original

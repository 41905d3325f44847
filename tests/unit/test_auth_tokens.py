"""JOSE details of the KMS signer: DER to r||s, the RFC 7638 kid, and what verification refuses."""

import jwt
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc.jwk import ECKey

from agentgate.auth.keys import public_jwk, thumbprint
from agentgate.auth.tokens import _jose_signature


def test_a_der_signature_becomes_the_64_byte_jws_signature_that_verifies():
    key = ec.generate_private_key(ec.SECP256R1())
    signing_input = b"header.payload"
    der = key.sign(signing_input, ec.ECDSA(hashes.SHA256()))

    raw = _jose_signature(der)

    assert len(raw) == 64
    # PyJWT verifies the raw form against the public key: the conversion is what JWS expects.
    algorithm = jwt.algorithms.ECAlgorithm(jwt.algorithms.ECAlgorithm.SHA256)
    assert algorithm.verify(signing_input, key.public_key(), raw)


@pytest.mark.parametrize("attempt", range(5))
def test_short_r_or_s_values_are_left_padded_to_32_bytes(attempt):
    # Roughly 1 in 128 signatures has an r or s below 2**248; padding must keep the length fixed.
    key = ec.generate_private_key(ec.SECP256R1())
    for i in range(300):
        der = key.sign(f"{attempt}-{i}".encode(), ec.ECDSA(hashes.SHA256()))
        assert len(_jose_signature(der)) == 64


def test_the_kid_is_the_rfc7638_thumbprint_other_libraries_compute():
    public = ec.generate_private_key(ec.SECP256R1()).public_key()

    ours = thumbprint(public)

    assert ours == ECKey.import_key(public_jwk(public)).thumbprint()


def test_the_public_jwk_has_no_private_member():
    public = ec.generate_private_key(ec.SECP256R1()).public_key()

    assert set(public_jwk(public)) == {"kty", "crv", "x", "y"}

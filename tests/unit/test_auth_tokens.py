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


def _malformed_variants(token: str) -> list[str]:
    head, payload, signature = token.split(".")
    return [
        token,  # well-formed: both accept it
        f"{head}.{payload[:-1]}!.{signature}",  # a character outside the alphabet
        f"{head}.{payload}.{signature[:-2]}+/",  # standard base64, not base64url
        f"{head}.{payload}=.{signature}",  # padding where the length is not a multiple of 4
        f"{head}.{payload}.{signature}===",  # three padding characters
        f"{head}.{payload}.{signature}A",  # a length that no base64 has (4n + 1)
        f"{head}.{payload[:-1]}{chr(ord(payload[-1]) ^ 1)}.{signature}",  # non-canonical last character
        f"{head}.{payload}.{signature} ",  # trailing whitespace
        f"{head}..{signature}",  # an empty payload
        f"{head}.{payload}",  # a segment missing
    ]


def test_the_verifier_refuses_and_accepts_exactly_the_tokens_pyjwt_does():
    """Our segment check (one regular expression) against PyJWT's own, token by token."""
    from agentgate.auth.tokens import _decoder, _SegmentCheckedAtOnce

    assert isinstance(_decoder._jws, _SegmentCheckedAtOnce)  # the verifier uses it
    key = ec.generate_private_key(ec.SECP256R1())
    stock = jwt.PyJWT()
    token = jwt.encode({"sub": "agt_1", "scope": "runs:write"}, key, algorithm="ES256", headers={"kid": "k"})

    def outcome(decoder: jwt.PyJWT, candidate: str) -> object:
        try:
            return decoder.decode(candidate, key=key.public_key(), algorithms=["ES256"])
        except jwt.PyJWTError as exc:
            return (type(exc).__name__, str(exc))

    outcomes = [(outcome(_decoder, t), outcome(stock, t)) for t in _malformed_variants(token)]
    assert all(ours == theirs for ours, theirs in outcomes), outcomes
    assert outcomes[0][0] == {"sub": "agt_1", "scope": "runs:write"}
    assert sum(isinstance(ours, tuple) for ours, _ in outcomes) == len(outcomes) - 1

"""Tokens (KMS signer, verification), the JWKS, client secrets, the OAuth HTTP surface, the authorizer.

Nothing here touches AWS at import time: KMS clients and public keys are fetched on first use
and cached per warm container.
"""

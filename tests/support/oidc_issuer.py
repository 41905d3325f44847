"""A small OIDC issuer on loopback for the federation tests: discovery, JWKS, keys made here.

It mints GitHub-Actions-shaped ID tokens with joserfc (an independent JOSE library), so the
token endpoint's verification is checked against tokens it did not make itself.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey, OctKey, RSAKey

GITHUB_AUDIENCE = "https://github.com/acme"


@dataclass
class TestIssuer:
    """Serves ``/.well-known/openid-configuration`` and ``/jwks``; ``url`` is the issuer identifier."""

    __test__ = False  # not a test class, whatever its name

    url: str = ""
    keys: list[Any] = field(default_factory=list)
    jwks_uri: str | None = None  # overrides the discovery document's jwks_uri
    discovery_issuer: str | None = None  # overrides the discovery document's issuer
    requests: list[str] = field(default_factory=list)

    def add_key(self, kind: str = "RSA") -> Any:
        kid = f"{kind.lower()}-{uuid.uuid4().hex[:8]}"
        key = (
            RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig"})
            if kind == "RSA"
            else ECKey.generate_key("P-256", parameters={"kid": kid, "use": "sig"})
        )
        self.keys.append(key)
        return key

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.discovery_issuer or self.url,
            "jwks_uri": self.jwks_uri or f"{self.url}/jwks",
            "subject_types_supported": ["public", "pairwise"],
            "response_types_supported": ["id_token"],
            "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            "claims_supported": ["sub", "aud", "exp", "iat", "iss", "jti", "repository_id"],
        }

    def jwks(self) -> dict[str, Any]:
        return {"keys": [key.as_dict(private=False) for key in self.keys]}

    def claims(self, **overrides: Any) -> dict[str, Any]:
        """A GitHub Actions ID token's claims for ``acme/deploy`` (ids 1234 / 99), main branch."""
        now = int(time.time())
        claims = {
            "jti": uuid.uuid4().hex,
            "sub": "repo:acme/deploy:environment:production",
            "aud": GITHUB_AUDIENCE,
            "ref": "refs/heads/main",
            "sha": "d6e0a3f0c8b1e3b6f2a0a3f0c8b1e3b6f2a0a3f0",
            "repository": "acme/deploy",
            "repository_owner": "acme",
            "repository_owner_id": "99",
            "repository_id": "1234",
            "run_id": "5550001",
            "environment": "production",
            "workflow_ref": "acme/deploy/.github/workflows/release.yml@refs/heads/main",
            "job_workflow_ref": "acme/deploy/.github/workflows/release.yml@refs/heads/main",
            "iss": self.url,
            "nbf": now - 5,
            "iat": now - 5,
            "exp": now + 300,
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def mint(self, key: Any = None, *, alg: str | None = None, kid: str | None = None, **claims: Any) -> str:
        key = key or self.keys[0]
        alg = alg or ("RS256" if isinstance(key, RSAKey) else "ES256")
        header = {"alg": alg, "kid": kid or key.kid, "typ": "JWT"}
        return jwt.encode(header, self.claims(**claims), key)

    def mint_hs256(self, secret: str, **claims: Any) -> str:
        """HS256 keyed with a shared secret: an algorithm the token endpoint must refuse."""
        key = OctKey.import_key(secret)
        return jwt.encode({"alg": "HS256", "kid": self.keys[0].kid}, self.claims(**claims), key)

    def mint_unsigned(self, **claims: Any) -> str:
        """``alg: none`` (joserfc refuses to make one, so it is assembled by hand)."""

        def part(data: dict[str, Any]) -> str:
            return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

        return f"{part({'alg': 'none', 'kid': self.keys[0].kid})}.{part(self.claims(**claims))}."


def _handler(issuer: TestIssuer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            issuer.requests.append(self.path)
            documents = {"/.well-known/openid-configuration": issuer.discovery, "/jwks": issuer.jwks}
            make = documents.get(self.path)
            body = json.dumps(make() if make else {"error": "not found"}).encode()
            self.send_response(200 if make else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def running_issuer(*kinds: str) -> Iterator[TestIssuer]:
    """An issuer on 127.0.0.1 with one key per kind ("RSA", "EC"); stopped on exit."""
    issuer = TestIssuer()
    for kind in kinds or ("RSA",):
        issuer.add_key(kind)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(issuer))
    issuer.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield issuer
    finally:
        server.shutdown()
        server.server_close()

"""A loopback server that plays GitHub Actions' OIDC: the runner's ID-token endpoint and the issuer.

``GET /id-token?audience=...`` with ``Authorization: Bearer <request token>`` answers
``{"value": <JWT>}`` as ``ACTIONS_ID_TOKEN_REQUEST_URL`` does; the JWT is RS256-signed with a key
published at ``/.well-known/jwks`` and described by ``/.well-known/openid-configuration``, so a
server that verifies ID tokens against an issuer's discovery document can verify these.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

REQUEST_TOKEN = "actions-request-token-for-tests"


class FakeGitHubOidc:
    def __init__(self, claims: dict[str, Any] | None = None) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = uuid.uuid4().hex[:16]
        self.claims = claims or {
            "repository": "octo-org/octo-repo",
            "repository_id": "123456789",
            "repository_owner": "octo-org",
            "repository_owner_id": "987654",
            "ref": "refs/heads/main",
            "workflow_ref": "octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main",
            "environment": "production",
            "sub": "repo:octo-org/octo-repo:environment:production",
        }
        self.issued: list[str] = []
        self.audiences: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                status, body = fake.handle(parts.path, parse_qs(parts.query), dict(self.headers))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.request_url = f"{self.issuer}/id-token?api-version=2.0"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def env(self) -> dict[str, str]:
        """The variables a job with ``id-token: write`` has."""
        return {
            "ACTIONS_ID_TOKEN_REQUEST_URL": self.request_url,
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": REQUEST_TOKEN,
        }

    def handle(self, path: str, query: dict[str, list[str]], headers: dict[str, str]) -> tuple[int, Any]:
        if path == "/.well-known/openid-configuration":
            return 200, {
                "issuer": self.issuer,
                "jwks_uri": f"{self.issuer}/.well-known/jwks",
                "id_token_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["id_token"],
                "subject_types_supported": ["public", "pairwise"],
            }
        if path == "/.well-known/jwks":
            public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
            return 200, {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}]}
        if path == "/id-token":
            if headers.get("Authorization") != f"Bearer {REQUEST_TOKEN}":
                return 401, {"message": "Bad credentials"}
            audience = (query.get("audience") or [""])[0]
            self.audiences.append(audience)
            token = self.mint(audience)
            return 200, {"count": 1, "value": token}
        return 404, {"message": "Not Found"}

    def mint(self, audience: str) -> str:
        now = int(time.time())
        claims = {
            **self.claims,
            "iss": self.issuer,
            "aud": audience,
            "iat": now,
            "nbf": now - 5,
            "exp": now + 300,
            "jti": uuid.uuid4().hex,
        }
        token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})
        self.issued.append(token)
        return token

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

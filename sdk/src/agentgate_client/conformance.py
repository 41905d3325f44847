"""``agentgate conformance URL``: check a deployment's public identity surface against the contract.

Discovery (OpenID Connect and RFC 8414), the JWKS (ES256 / P-256 public keys only), the token
endpoint's RFC 6749 error answers, token exchange being advertised, health and the OpenAPI
document; with client credentials also a real token (``typ: at+jwt``, ES256, a ``kid`` the JWKS
publishes) and its introspection. Each check passes, fails or is skipped with the reason.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from agentgate_client.auth import TOKEN_EXCHANGE_GRANT


@dataclass
class Check:
    name: str
    status: str  # pass | fail | skip
    detail: str = ""


class _Failed(Exception):
    pass


def _expect(condition: bool, detail: str) -> None:
    if not condition:
        raise _Failed(detail)


def _jwt_header(token: str) -> dict[str, Any]:
    head = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))  # type: ignore[no-any-return]


class Suite:
    def __init__(self, url: str, client_id: str | None = None, client_secret: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.http = httpx.Client(base_url=self.url, timeout=30)
        self.discovery: dict[str, Any] = {}
        self.jwks: dict[str, Any] = {}
        self.checks: list[Check] = []

    def run(self) -> list[Check]:
        steps: list[tuple[str, Callable[[], str | None]]] = [
            ("openid-configuration", self.openid_configuration),
            ("oauth-authorization-server (RFC 8414)", self.authorization_server),
            ("jwks: public ES256 P-256 keys", self.jwks_keys),
            ("token: unsupported_grant_type is a 400", self.unsupported_grant),
            ("token: a wrong client is a 401 invalid_client", self.wrong_client),
            ("token exchange advertised (RFC 8693)", self.token_exchange_advertised),
            ("client credentials token (RFC 9068)", self.client_credentials_token),
            ("health", self.health),
            ("openapi.json", self.openapi),
        ]
        for name, step in steps:
            try:
                skipped = step()
                self.checks.append(Check(name, "skip", skipped) if skipped else Check(name, "pass"))
            except _Failed as failure:
                self.checks.append(Check(name, "fail", str(failure)))
            except (httpx.HTTPError, ValueError, KeyError) as error:
                self.checks.append(Check(name, "fail", f"{type(error).__name__}: {error}"))
        self.http.close()
        return self.checks

    def openid_configuration(self) -> None:
        reply = self.http.get("/.well-known/openid-configuration")
        _expect(reply.status_code == 200, f"answered {reply.status_code}")
        self.discovery = reply.json()
        for field in ("issuer", "token_endpoint", "jwks_uri", "grant_types_supported"):
            _expect(bool(self.discovery.get(field)), f"no {field}")
        methods = set(self.discovery.get("token_endpoint_auth_methods_supported") or [])
        _expect({"client_secret_basic", "client_secret_post"} <= methods, f"auth methods {sorted(methods)}")
        _expect(
            "client_credentials" in self.discovery["grant_types_supported"], "client_credentials not listed"
        )

    def authorization_server(self) -> None:
        reply = self.http.get("/.well-known/oauth-authorization-server")
        _expect(reply.status_code == 200, f"answered {reply.status_code}")
        _expect(
            reply.json().get("issuer") == self.discovery.get("issuer"),
            "a different issuer than OIDC discovery",
        )

    def jwks_keys(self) -> None:
        uri = self.discovery.get("jwks_uri") or f"{self.url}/.well-known/jwks.json"
        reply = self.http.get(uri)
        _expect(reply.status_code == 200, f"answered {reply.status_code}")
        self.jwks = reply.json()
        keys = self.jwks.get("keys") or []
        _expect(bool(keys), "no keys")
        for key in keys:
            _expect(
                (key.get("kty"), key.get("crv")) == ("EC", "P-256"), f"key {key.get('kid')} is not EC P-256"
            )
            _expect(key.get("alg") in (None, "ES256"), f"key {key.get('kid')} alg {key.get('alg')}")
            _expect(bool(key.get("kid")), "a key without kid")
            _expect("d" not in key, f"key {key.get('kid')} publishes its private part")

    def unsupported_grant(self) -> None:
        form = {"grant_type": "password", "username": "u", "password": "p"}
        if not (self.client_id and self.client_secret):
            # The client may be authenticated before the grant is read (RFC 6749 section 3.2.1).
            reply = self.http.post("/oauth2/token", data=form)
            answer = (reply.status_code, reply.json().get("error"))
            _expect(
                answer in {(400, "unsupported_grant_type"), (401, "invalid_client")}, f"answered {answer}"
            )
            return
        reply = self.http.post("/oauth2/token", data=form, auth=(self.client_id, self.client_secret))
        _expect(reply.status_code == 400, f"answered {reply.status_code}")
        _expect(reply.json().get("error") == "unsupported_grant_type", f"error {reply.json().get('error')}")

    def wrong_client(self) -> None:
        reply = self.http.post(
            "/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=("agc_conformance", "not-a-secret"),
        )
        _expect(reply.status_code == 401, f"answered {reply.status_code}")
        _expect(reply.json().get("error") == "invalid_client", f"error {reply.json().get('error')}")

    def token_exchange_advertised(self) -> None:
        _expect(
            TOKEN_EXCHANGE_GRANT in (self.discovery.get("grant_types_supported") or []),
            "not in grant_types_supported",
        )

    def client_credentials_token(self) -> str | None:
        if not (self.client_id and self.client_secret):
            return "no --client-id/--client-secret given"
        reply = self.http.post(
            "/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=(self.client_id, self.client_secret),
        )
        _expect(reply.status_code == 200, f"answered {reply.status_code}: {reply.text[:200]}")
        body = reply.json()
        _expect(body.get("token_type", "").lower() == "bearer", f"token_type {body.get('token_type')}")
        header = _jwt_header(body["access_token"])
        _expect(header.get("alg") == "ES256", f"alg {header.get('alg')}")
        _expect(header.get("typ") in ("at+jwt", "application/at+jwt"), f"typ {header.get('typ')}")
        kids = {k.get("kid") for k in self.jwks.get("keys", [])}
        _expect(header.get("kid") in kids, f"kid {header.get('kid')} not in the JWKS")
        introspection = self.http.post(
            "/oauth2/introspect",
            data={"token": body["access_token"]},
            auth=(self.client_id, self.client_secret),
        )
        _expect(introspection.status_code == 200, f"introspection answered {introspection.status_code}")
        _expect(introspection.json().get("active") is True, "introspection says inactive")
        return None

    def health(self) -> None:
        reply = self.http.get("/health")
        _expect(reply.status_code == 200, f"answered {reply.status_code}")

    def openapi(self) -> None:
        reply = self.http.get("/openapi.json")
        _expect(reply.status_code == 200, f"answered {reply.status_code}")
        _expect(str(reply.json().get("openapi", "")).startswith("3."), "not an OpenAPI 3 document")


def run_suite(url: str, client_id: str | None = None, client_secret: str | None = None) -> list[Check]:
    return Suite(url, client_id, client_secret).run()

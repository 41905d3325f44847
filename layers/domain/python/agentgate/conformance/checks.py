"""The checks, in order; each returns a short evidence line or raises ``CheckFailed`` saying why.

Later checks use what earlier ones found (the metadata's endpoints, the token, the agent); a check
whose prerequisite failed is reported as failed with that reason rather than skipped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from agentgate.conformance.http import Answer, Http, basic

RFC8414_REQUIRED = ("issuer", "token_endpoint", "jwks_uri", "response_types_supported")
RFC8414_EXPECTED = (
    "grant_types_supported",
    "token_endpoint_auth_methods_supported",
    "introspection_endpoint",
    "revocation_endpoint",
)


class CheckFailed(Exception):
    pass


@dataclass
class Options:
    url: str
    client_id: str
    client_secret: str
    agent: str | None = None  # "tenant_id/agent_id"; the marketplace's first entry when absent


@dataclass
class Found:
    """What the checks learnt so far."""

    metadata: dict[str, Any] = field(default_factory=dict)
    jwks: dict[str, Any] = field(default_factory=dict)
    token: str | None = None
    agent: dict[str, Any] | None = None


def _json(answer: Answer, what: str, status: int = 200) -> Any:
    if answer.status != status:
        raise CheckFailed(f"{what} answered {answer.status}: {answer.body[:200]!r}")
    try:
        return answer.json()
    except ValueError:
        raise CheckFailed(f"{what} is not JSON") from None


def discovery(http: Http, options: Options, found: Found) -> str:
    metadata = _json(http.get("/.well-known/oauth-authorization-server"), "RFC 8414 metadata")
    missing = [name for name in (*RFC8414_REQUIRED, *RFC8414_EXPECTED) if not metadata.get(name)]
    if missing:
        raise CheckFailed(f"metadata lacks {', '.join(missing)}")
    if "client_credentials" not in metadata["grant_types_supported"]:
        raise CheckFailed("client_credentials is not among grant_types_supported")
    openid = _json(http.get("/.well-known/openid-configuration"), "OpenID discovery")
    if openid.get("issuer") != metadata["issuer"]:
        raise CheckFailed("the OpenID discovery document names another issuer")
    found.metadata = metadata
    return f"issuer {metadata['issuer']}"


def jwks(http: Http, options: Options, found: Found) -> str:
    if not found.metadata:
        raise CheckFailed("needs the discovery check")
    keys = _json(http.get(found.metadata["jwks_uri"]), "JWKS").get("keys") or []
    if not keys:
        raise CheckFailed("the JWKS publishes no key")
    for key in keys:
        if (
            key.get("kty") != "EC"
            or key.get("crv") != "P-256"
            or key.get("alg") != "ES256"
            or not key.get("kid")
        ):
            raise CheckFailed(f"key {key.get('kid')} is not an ES256 P-256 key with a kid")
        if "d" in key:
            raise CheckFailed(f"key {key['kid']} publishes its private part")
    found.jwks = {"keys": keys}
    return f"{len(keys)} ES256 keys"


def client_credentials(http: Http, options: Options, found: Found) -> str:
    import jwt

    if not found.jwks:
        raise CheckFailed("needs the JWKS check")
    answer = http.post_form(
        found.metadata["token_endpoint"],
        {"grant_type": "client_credentials"},
        headers=basic(options.client_id, options.client_secret),
    )
    body = _json(answer, "the token endpoint")
    if body.get("token_type") != "Bearer" or not body.get("access_token") or not body.get("expires_in"):
        raise CheckFailed("the token response lacks access_token, token_type Bearer or expires_in")
    if "no-store" not in answer.headers.get("cache-control", ""):
        raise CheckFailed("the token response may be cached (no Cache-Control: no-store)")
    token = body["access_token"]
    header = jwt.get_unverified_header(token)
    if header.get("typ") != "at+jwt":
        raise CheckFailed(f"the token's typ is {header.get('typ')!r}, not at+jwt (RFC 9068)")
    keys = {k["kid"]: k for k in found.jwks["keys"]}
    if header.get("kid") not in keys:
        raise CheckFailed("the token's kid is not in the JWKS")
    try:
        claims = jwt.decode(
            token,
            jwt.PyJWK(keys[header["kid"]]).key,
            algorithms=["ES256"],
            issuer=found.metadata["issuer"],
            options={"verify_aud": False, "require": ["iss", "sub", "aud", "exp", "iat", "jti", "client_id"]},
        )
    except jwt.PyJWTError as exc:
        raise CheckFailed(f"the token does not verify against the JWKS: {exc}") from None
    found.token = token
    return f"token for {claims['sub']}, scope {body.get('scope', '')!r}, verified with kid {header['kid']}"


def _introspect(http: Http, options: Options, found: Found) -> dict[str, Any]:
    return _json(
        http.post_form(
            found.metadata["introspection_endpoint"],
            {"token": found.token or ""},
            headers=basic(options.client_id, options.client_secret),
        ),
        "introspection",
    )


def introspection(http: Http, options: Options, found: Found) -> str:
    if not found.token:
        raise CheckFailed("needs a token from the client credentials check")
    body = _introspect(http, options, found)
    if body.get("active") is not True or body.get("client_id") != options.client_id:
        raise CheckFailed(f"the fresh token introspects as {body}")
    return f"active, sub {body.get('sub')}"


def revocation(http: Http, options: Options, found: Found) -> str:
    if not found.token:
        raise CheckFailed("needs a token from the client credentials check")
    answer = http.post_form(
        found.metadata["revocation_endpoint"],
        {"token": found.token},
        headers=basic(options.client_id, options.client_secret),
    )
    if answer.status != 200:
        raise CheckFailed(f"revocation answered {answer.status}")
    body = _introspect(http, options, found)
    if body != {"active": False}:
        raise CheckFailed(f"a revoked token introspects as {body}")
    return "revoked token introspects inactive"


def _agent(http: Http, options: Options, found: Found) -> dict[str, Any]:
    if found.agent is not None:
        return found.agent
    if options.agent:
        tenant_id, _, agent_id = options.agent.partition("/")
        entry = _json(http.get(f"/api/v1/marketplace/agents/{tenant_id}/{agent_id}"), "the marketplace entry")
    else:
        items = _json(http.get("/api/v1/marketplace/agents?limit=1"), "the marketplace").get("items") or []
        if not items:
            raise CheckFailed("the marketplace lists no published agent (pass --agent)")
        entry = items[0]
    found.agent = entry
    return entry


def marketplace(http: Http, options: Options, found: Found) -> str:
    entry = _agent(http, options, found)
    for name in ("tenant_id", "agent_id", "name", "card_url", "did", "did_document_url"):
        if not entry.get(name):
            raise CheckFailed(f"the entry lacks {name}")
    for private in ("scopes", "audiences", "team", "status", "created_by"):
        if private in entry:
            raise CheckFailed(f"the public entry shows {private}")
    words = entry["name"].split()[0]
    listed = (
        _json(http.get(f"/api/v1/marketplace/agents?q={words}"), "a marketplace search").get("items") or []
    )
    if entry["agent_id"] not in {item.get("agent_id") for item in listed}:
        raise CheckFailed(f"searching for {words!r} does not find the agent")
    return f"{entry['tenant_id']}/{entry['agent_id']} listed and found by name"


def card(http: Http, options: Options, found: Found) -> str:
    try:
        from a2a.types import AgentCard
        from google.protobuf import json_format
    except ImportError:
        raise CheckFailed("needs a2a-sdk (pip install -e '.[dev]')") from None
    entry = _agent(http, options, found)
    data = _json(http.get(entry["card_url"]), "the agent card")
    try:
        parsed = json_format.ParseDict(data, AgentCard())
    except json_format.ParseError as exc:
        raise CheckFailed(f"not an A2A AgentCard: {exc}") from None
    if not parsed.name or not parsed.skills or not parsed.supported_interfaces:
        raise CheckFailed("the card lacks a name, skills or interfaces")
    schemes = [
        s.oauth2_security_scheme
        for s in parsed.security_schemes.values()
        if s.HasField("oauth2_security_scheme")
    ]
    token_urls = {s.flows.client_credentials.token_url for s in schemes}
    if found.metadata and found.metadata["token_endpoint"] not in token_urls:
        raise CheckFailed("the card's OAuth 2.0 client credentials flow is not at this token endpoint")
    return f"{parsed.name} {parsed.version}: {len(parsed.skills)} skills"


def did_document(http: Http, options: Options, found: Found) -> str:
    try:
        import pydid
    except ImportError:
        raise CheckFailed("needs pydid (pip install -e '.[dev]')") from None
    entry = _agent(http, options, found)
    data = _json(http.get(entry["did_document_url"]), "the DID document")
    try:
        document = pydid.deserialize_document(data, strict=True)
    except Exception as exc:  # noqa: BLE001 - pydid raises several kinds; each means invalid
        raise CheckFailed(f"not a valid DID document: {exc}") from None
    did = str(document.id)
    if did != entry["did"]:
        raise CheckFailed(f"the document is {did}, the entry names {entry['did']}")
    host, *path = did.removeprefix("did:web:").split(":")
    resolved = urlsplit(f"https://{unquote(host)}/{'/'.join(path)}/did.json")
    fetched = urlsplit(http.url(entry["did_document_url"]))
    if (resolved.netloc, resolved.path) != (fetched.netloc, fetched.path):
        raise CheckFailed(f"did:web resolves to {resolved.geturl()}, not where the document is")
    kids = {key["kid"] for key in found.jwks.get("keys", [])}
    methods = {method.id.fragment for method in document.verification_method or []}
    if kids and not kids <= methods:
        raise CheckFailed("the DID document lacks published signing keys")
    return f"{did}: {len(methods)} verification methods"


CHECKS: tuple[tuple[str, Callable[[Http, Options, Found], str]], ...] = (
    ("discovery (RFC 8414)", discovery),
    ("JWKS", jwks),
    ("client credentials token", client_credentials),
    ("introspection (RFC 7662)", introspection),
    ("revocation (RFC 7009)", revocation),
    ("marketplace entry", marketplace),
    ("A2A agent card (a2a-sdk)", card),
    ("did:web document (pydid)", did_document),
)


@dataclass(frozen=True)
class Result:
    name: str
    passed: bool
    detail: str


def run(options: Options, http: Http | None = None) -> list[Result]:
    http = http or Http(options.url)
    found = Found()
    results = []
    for name, check in CHECKS:
        try:
            results.append(Result(name, True, check(http, options, found)))
        except CheckFailed as exc:
            results.append(Result(name, False, str(exc)))
        except OSError as exc:
            results.append(Result(name, False, f"could not reach the deployment: {exc}"))
    return results

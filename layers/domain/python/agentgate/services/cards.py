"""A2A agent cards and did:web documents of agents, built from the registry and the signing keys.

The card follows the A2A 1.x ``AgentCard`` (JSON names of its protobuf fields): name, description,
version, the agent's own interfaces and skills, and one security scheme, OAuth 2.0 client
credentials at this deployment's token endpoint. A client gets a token for the agent with
``resource`` set to the agent's interface URL (RFC 8707), when the agent lists it among its
audiences. ``card_problems`` checks what A2A requires (tests validate with the a2a-sdk types;
the SDK is too heavy for a Lambda layer).

The DID is ``did:web:<host>:agents:<tenant_id>:<agent_id>`` (the host's port percent-encoded, as
the did:web method prescribes), resolving to ``https://<host>/agents/<tenant_id>/<agent_id>/did.json``.
Its verification methods are the published token-signing keys (JsonWebKey), for assertion and
authentication; its service entry points at the card.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from agentgate.auth import keys
from agentgate.models import AgentItem, MarketplaceEntryItem
from agentgate.platform.settings import get_settings

SECURITY_SCHEME = "agentgate"
DEFAULT_MODES = ["text/plain", "application/json"]
DID_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"]
CARD_SERVICE_TYPE = "A2AAgentCard"
# What A2A marks REQUIRED on an AgentCard (google.api.field_behavior).
REQUIRED_CARD_FIELDS = (
    "name",
    "description",
    "version",
    "supportedInterfaces",
    "capabilities",
    "defaultInputModes",
    "defaultOutputModes",
    "skills",
)
REQUIRED_SKILL_FIELDS = ("id", "name", "description", "tags")

Card = dict[str, Any]
AgentView = AgentItem | MarketplaceEntryItem


def _base() -> str:
    return get_settings().issuer.rstrip("/")


def card_url(agent_id: str) -> str:
    return f"{_base()}/api/v1/agents/{agent_id}/card"


def did_url(tenant_id: str, agent_id: str) -> str:
    return f"{_base()}/agents/{tenant_id}/{agent_id}/did.json"


def did_for(tenant_id: str, agent_id: str) -> str:
    """did:web of the agent: host (port percent-encoded), any base path, then agents:tenant:agent."""
    parts = urlsplit(_base())
    host = quote(parts.netloc, safe="")
    segments = [quote(s, safe="") for s in parts.path.split("/") if s]
    return ":".join(["did", "web", host, *segments, "agents", tenant_id, agent_id])


def _version(agent: AgentView) -> str:
    return str(agent.agent_version or "1.0.0")


def build_card(agent: AgentView, organization: str) -> Card:
    base = _base()
    return {
        "name": agent.name,
        "description": agent.description or agent.name,
        "version": _version(agent),
        "supportedInterfaces": [
            {
                "url": interface["url"],
                "protocolBinding": interface.get("protocol_binding", "JSONRPC"),
                "protocolVersion": interface.get("protocol_version", "1.0"),
            }
            for interface in agent.interfaces or []
        ],
        "provider": {"organization": organization, "url": base},
        "documentationUrl": f"{base}/openapi.json",
        "capabilities": {"streaming": False, "pushNotifications": False},
        "securitySchemes": {
            SECURITY_SCHEME: {
                "oauth2SecurityScheme": {
                    "description": (
                        "OAuth 2.0 client credentials at this AgentGate deployment; ask for a token with "
                        "resource set to the agent's interface URL (RFC 8707)."
                    ),
                    "flows": {"clientCredentials": {"tokenUrl": f"{base}/oauth2/token", "scopes": {}}},
                    "oauth2MetadataUrl": f"{base}/.well-known/oauth-authorization-server",
                }
            }
        },
        "securityRequirements": [{"schemes": {SECURITY_SCHEME: {"list": []}}}],
        "defaultInputModes": DEFAULT_MODES,
        "defaultOutputModes": DEFAULT_MODES,
        "skills": [
            {
                "id": skill["id"],
                "name": skill["name"],
                "description": skill["description"],
                "tags": list(skill.get("tags") or []),
            }
            for skill in agent.skills or []
        ],
    }


def card_problems(card: Card) -> list[str]:
    """What keeps ``card`` from being a valid A2A AgentCard (empty when it is one)."""
    problems = [f"{name} is missing" for name in REQUIRED_CARD_FIELDS if not card.get(name)]
    for index, skill in enumerate(card.get("skills") or []):
        problems += [
            f"skills[{index}].{name} is missing" for name in REQUIRED_SKILL_FIELDS if not skill.get(name)
        ]
    for index, interface in enumerate(card.get("supportedInterfaces") or []):
        if not interface.get("url") or not interface.get("protocolBinding"):
            problems.append(f"supportedInterfaces[{index}] needs url and protocolBinding")
    return problems


def did_document(tenant_id: str, agent_id: str) -> dict[str, Any]:
    did = did_for(tenant_id, agent_id)
    methods = [
        {"id": f"{did}#{key.kid}", "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": key.jwk()}
        for key in keys.key_set().published
    ]
    references = [method["id"] for method in methods]
    return {
        "@context": DID_CONTEXT,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": references,
        "authentication": references,
        "service": [
            {"id": f"{did}#a2a-card", "type": CARD_SERVICE_TYPE, "serviceEndpoint": card_url(agent_id)}
        ],
    }

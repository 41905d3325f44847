"""Every item class of the single table, in one module.

Keys: tenant items live under ``pk = TENANT#<tenant_id>``; global lookups have their own
prefixes (``CLIENT#``, ``APIKEY#``, ``JTI#``, ``STRIPE#``...). The ``key_*`` functions
build keys so no caller spells them by hand. Sections are grouped by area; add new
classes to the section they belong to.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)

from agentgate.platform.table import Gsi1, Gsi2, TableModel


def tenant_pk(tenant_id: str) -> str:
    return f"TENANT#{tenant_id}"


# --- tenants and agents ------------------------------------------------------------------------


class TenantItem(TableModel):
    """pk=TENANT#<id>, sk=PROFILE. ``status`` is active or paused (the tenant-wide kill switch)."""

    SK = "PROFILE"

    tenant_id = UnicodeAttribute()
    name = UnicodeAttribute()
    tier = UnicodeAttribute(default="free")
    status = UnicodeAttribute(default="active")
    created_at = UTCDateTimeAttribute()
    paused_at = UTCDateTimeAttribute(null=True)


class AgentItem(TableModel):
    """pk=TENANT#<id>, sk=AGENT#<agent_id>; gsi1 lists a tenant's agents by team, gsi2 by status."""

    tenant_id = UnicodeAttribute()
    agent_id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    type = UnicodeAttribute(default="autonomous")
    provider = UnicodeAttribute(null=True)
    environment = UnicodeAttribute(default="production")
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    team = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="active")
    scopes = UnicodeSetAttribute(default=set)
    published = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)
    paused_reason = UnicodeAttribute(null=True)
    gsi1 = Gsi1()
    gsi2 = Gsi2()

    @staticmethod
    def sk_for(agent_id: str) -> str:
        return f"AGENT#{agent_id}"


# --- identity: users, memberships, API keys, credentials, tokens, audit --------------------------


class CredentialItem(TableModel):
    """pk=CLIENT#<client_id>, sk=CREDENTIAL: an agent's OAuth client; secrets are kept only as hashes.

    A rotation replaces ``secret_hash`` and keeps the old one valid until ``previous_secret_valid_until``.
    gsi1 lists an agent's credentials. ``expires_at`` (the table's TTL) is the credential's expiry:
    code treats a past value as expired, whether or not DynamoDB has removed the item yet.
    """

    SK = "CREDENTIAL"

    tenant_id = UnicodeAttribute()
    agent_id = UnicodeAttribute()
    credential_id = UnicodeAttribute()
    client_id = UnicodeAttribute()
    secret_hash = UnicodeAttribute()
    previous_secret_hash = UnicodeAttribute(null=True)
    previous_secret_valid_until = UTCDateTimeAttribute(null=True)
    status = UnicodeAttribute(default="active")  # active | revoked
    created_at = UTCDateTimeAttribute()
    rotated_at = UTCDateTimeAttribute(null=True)
    revoked_at = UTCDateTimeAttribute(null=True)
    gsi1 = Gsi1()

    @staticmethod
    def pk_for(client_id: str) -> str:
        return f"CLIENT#{client_id}"

    @staticmethod
    def gsi1pk_for(tenant_id: str, agent_id: str) -> str:
        return f"{tenant_pk(tenant_id)}#CREDENTIALS#{agent_id}"


class ActiveCredentialItem(TableModel):
    """pk=TENANT#<id>, sk=CREDENTIAL#<agent_id>: the agent's one active client (a second POST rotates it)."""

    tenant_id = UnicodeAttribute()
    agent_id = UnicodeAttribute()
    client_id = UnicodeAttribute()
    credential_id = UnicodeAttribute()

    @staticmethod
    def sk_for(agent_id: str) -> str:
        return f"CREDENTIAL#{agent_id}"


class PublishedSigningKey(MapAttribute):
    """A previous token-signing key: still in the JWKS until ``retire_after`` (its last token's expiry)."""

    key_id = UnicodeAttribute()
    kid = UnicodeAttribute()
    retire_after = UTCDateTimeAttribute()


class SigningKeysItem(TableModel):
    """pk=sk=SIGNING_KEYS: the KMS key that signs tokens now, and the previous keys still published."""

    KEY = "SIGNING_KEYS"

    current_key_id = UnicodeAttribute()
    current_kid = UnicodeAttribute()
    rotated_at = UTCDateTimeAttribute(null=True)
    previous = ListAttribute(of=PublishedSigningKey, default=list)


class RevokedTokenItem(TableModel):
    """pk=JTI#<jti>, sk=REVOKED: a revoked access token; ``expires_at`` (TTL) is the token's own expiry."""

    SK = "REVOKED"

    jti = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    agent_id = UnicodeAttribute(null=True)
    revoked_at = UTCDateTimeAttribute()

    @staticmethod
    def pk_for(jti: str) -> str:
        return f"JTI#{jti}"

# --- runs, costs, budgets, analytics ---------------------------------------------------------------

# --- governance: policies, approvals, webhooks -----------------------------------------------------

"""Every item class of the single table, in one module.

Keys: tenant items live under ``pk = TENANT#<tenant_id>``; global lookups have their own
prefixes (``CLIENT#``, ``APIKEY#``, ``JTI#``, ``STRIPE#``...). The ``key_*`` functions
build keys so no caller spells them by hand. Sections are grouped by area; add new
classes to the section they belong to.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
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
    # The tenant's own API Gateway API key (its usage plan is the tier): the authorizer's usageIdentifierKey.
    usage_key = UnicodeAttribute(null=True)
    usage_key_id = UnicodeAttribute(null=True)
    # Agents that exist now: changed only in the same transaction as the agent, so the tier limit holds.
    agent_count = NumberAttribute(default=0)
    # Owners that exist now: the last owner can be neither removed nor demoted (checked in the transaction).
    owner_count = NumberAttribute(default=0)
    updated_at = UTCDateTimeAttribute(null=True)


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


class MembershipItem(TableModel):
    """pk=TENANT#<id>, sk=MEMBER#<user_id>: a person's role and team in the tenant (user_id = Cognito sub)."""

    tenant_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    email = UnicodeAttribute()
    role = UnicodeAttribute()
    team = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="active")  # invited (temporary password not changed yet) | active
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)

    @staticmethod
    def sk_for(user_id: str) -> str:
        return f"MEMBER#{user_id}"


class UserItem(TableModel):
    """pk=USER#<sub>, sk=USER: the global lookup the authorizer reads (one get) for a Cognito token.

    It mirrors the membership (written in the same transaction) so a request costs one read.
    """

    SK = "USER"

    user_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    email = UnicodeAttribute()
    role = UnicodeAttribute()
    team = UnicodeAttribute(null=True)

    @staticmethod
    def pk_for(user_id: str) -> str:
        return f"USER#{user_id}"


class ApiKeyItem(TableModel):
    """pk=TENANT#<id>, sk=APIKEY#<key_id>: a tenant API key's metadata; the key itself is never stored."""

    tenant_id = UnicodeAttribute()
    key_id = UnicodeAttribute()
    name = UnicodeAttribute()
    scopes = UnicodeSetAttribute(default=set)
    key_hash = UnicodeAttribute()
    prefix = UnicodeAttribute()  # the first characters, so people can tell keys apart
    status = UnicodeAttribute(default="active")  # active | revoked
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    last_used_at = UTCDateTimeAttribute(null=True)
    revoked_at = UTCDateTimeAttribute(null=True)

    @staticmethod
    def sk_for(key_id: str) -> str:
        return f"APIKEY#{key_id}"


class ApiKeyLookupItem(TableModel):
    """pk=APIKEY#<sha256 of the key>, sk=APIKEY: what the authorizer reads; deleted on revocation."""

    SK = "APIKEY"

    tenant_id = UnicodeAttribute()
    key_id = UnicodeAttribute()
    scopes = UnicodeSetAttribute(default=set)
    last_used_at = UTCDateTimeAttribute(null=True)

    @staticmethod
    def pk_for(key_hash: str) -> str:
        return f"APIKEY#{key_hash}"


class AgentTagItem(TableModel):
    """pk=TENANT#<id>, sk=AGENTTAG#<tag>#<agent_id>: lists a tenant's agents by tag (a tag is one query)."""

    tenant_id = UnicodeAttribute()
    agent_id = UnicodeAttribute()
    tag = UnicodeAttribute()

    @staticmethod
    def sk_for(tag: str, agent_id: str) -> str:
        return f"AGENTTAG#{tag}#{agent_id}"


class AuditEntryItem(TableModel):
    """pk=TENANT#<id>, sk=AUDIT#<seq, 12 digits>: one link of the tenant's hash chain.

    ``hash`` = SHA-256(prev_hash + RFC 8785 JSON of the entry); ``details`` is that JSON's details part.
    """

    tenant_id = UnicodeAttribute()
    seq = NumberAttribute()
    at = UnicodeAttribute()  # RFC 3339, exactly the string that was hashed
    actor = UnicodeAttribute()
    action = UnicodeAttribute()
    target = UnicodeAttribute()
    details = JSONAttribute(default=dict)
    prev_hash = UnicodeAttribute()
    hash = UnicodeAttribute()

    @staticmethod
    def sk_for(seq: int) -> str:
        return f"AUDIT#{seq:012d}"


class AuditHeadItem(TableModel):
    """pk=TENANT#<id>, sk=AUDIT#HEAD: the chain's last seq and hash, and the last KMS-signed head.

    gsi1 (pk AUDIT_HEADS) lists every tenant's head for the periodic signing.
    """

    SK = "AUDIT#HEAD"
    GSI1PK = "AUDIT_HEADS"

    tenant_id = UnicodeAttribute()
    seq = NumberAttribute(default=0)
    hash = UnicodeAttribute()
    signed_seq = NumberAttribute(null=True)
    signed_hash = UnicodeAttribute(null=True)
    signature = UnicodeAttribute(null=True)  # base64 DER ECDSA over the canonical {tenant_id, seq, hash}
    signing_key_id = UnicodeAttribute(null=True)
    signed_at = UTCDateTimeAttribute(null=True)
    gsi1 = Gsi1()



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

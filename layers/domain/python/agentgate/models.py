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

# --- runs, costs, budgets, analytics ---------------------------------------------------------------

# --- governance: policies, approvals, webhooks -----------------------------------------------------

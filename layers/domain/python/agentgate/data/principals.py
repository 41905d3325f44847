"""The tenant's facts copied onto every authorizer lookup item, and kept in step with the tenant.

An API key's lookup (``APIKEY#<hash>``) and a person's (``USER#<sub>``) carry the tenant's tier,
usage-plan key and status beside the key's scopes or the person's role, so the authorizer
resolves a credential to tenant, role and tier in one GetItem. Two writes keep them right:

- a lookup is written (key created, member invited, signup) with the facts read from the tenant
  and, in the same transaction, a check that the tenant still has them (``hold_facts``): a tier
  change or a pause that commits between the read and the write fails the transaction;
- after the tenant's tier, status or usage-plan key changes, ``sync_lookups`` rewrites the facts on
  every lookup of the tenant (its active keys and its members, both listed in its partition). It is
  idempotent, so a caller that failed half way runs it again (the billing worker on its retry, the
  kill switch on the next press).

A lookup written before the tenant changed is found by the sync's query (strongly consistent,
after the change committed); one written after holds the new facts: no lookup keeps an old one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from agentgate.data import writes
from agentgate.data.tenant import TenantData
from agentgate.data.transactions import ConditionFailed, Transaction
from agentgate.models import ApiKeyItem, ApiKeyLookupItem, MembershipItem, TenantItem, UserItem


@dataclass(frozen=True)
class TenantFacts:
    """What the authorizer needs of the tenant besides the credential's own record."""

    tier: str
    usage_key: str | None
    status: str

    @classmethod
    def of(cls, tenant: TenantItem) -> TenantFacts:
        return cls(tier=tenant.tier, usage_key=tenant.usage_key, status=tenant.status)

    def attributes(self) -> dict[str, Any]:
        """The lookup items' attributes for these facts."""
        return {"tier": self.tier, "usage_key": self.usage_key, "tenant_status": self.status}


def read_facts(data: TenantData) -> TenantFacts:
    """The tenant's facts now (strongly consistent), to copy onto a lookup being written."""
    tenant = data.get(TenantItem, TenantItem.SK, missing="No such organisation.", consistent=True)
    return TenantFacts.of(tenant)


def facts_condition(facts: TenantFacts) -> Condition:
    condition = (TenantItem.tier == facts.tier) & (TenantItem.status == facts.status)
    if facts.usage_key is None:
        return condition & TenantItem.usage_key.does_not_exist()
    return condition & (TenantItem.usage_key == facts.usage_key)


def hold_facts(tx: Transaction, data: TenantData, facts: TenantFacts) -> None:
    """Hold ``tx`` on the tenant still having ``facts`` (they are being copied onto a lookup)."""
    tx.check(data.ref(TenantItem, TenantItem.SK), facts_condition(facts), name="tenant_facts")


def sync_lookups(data: TenantData) -> int:
    """Rewrite the tenant's facts on every lookup of its keys and members; the number rewritten."""
    tenant = data.find(TenantItem, TenantItem.SK, consistent=True)
    if tenant is None:
        return 0
    facts = TenantFacts.of(tenant)
    actions_key = _fact_actions(ApiKeyLookupItem, facts)
    actions_user = _fact_actions(UserItem, facts)
    rewritten = 0
    for key in data.query(ApiKeyItem, sk_prefix="APIKEY#"):
        if key.status != "active":
            continue
        lookup = ApiKeyLookupItem(ApiKeyLookupItem.pk_for(key.key_hash), ApiKeyLookupItem.SK)
        rewritten += _rewrite(lookup, actions_key, ApiKeyLookupItem.tenant_id == data.tenant_id)
    for member in data.query(MembershipItem, sk_prefix="MEMBER#"):
        lookup_user = UserItem(UserItem.pk_for(member.user_id), UserItem.SK)
        rewritten += _rewrite(lookup_user, actions_user, UserItem.tenant_id == data.tenant_id)
    return rewritten


def _fact_actions(model: type[ApiKeyLookupItem] | type[UserItem], facts: TenantFacts) -> list[Action]:
    usage_key = model.usage_key
    return [
        model.tier.set(facts.tier),
        model.tenant_status.set(facts.status),
        usage_key.set(facts.usage_key) if facts.usage_key is not None else usage_key.remove(),
    ]


def _rewrite(item: ApiKeyLookupItem | UserItem, actions: list[Action], condition: Condition) -> int:
    try:
        writes.update(item, actions, condition)
    except ConditionFailed:
        return 0  # revoked or removed meanwhile: nothing to keep in step
    return 1

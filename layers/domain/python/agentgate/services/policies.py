"""Policies: CRUD, the tenant default, and the rules the evaluator reads.

Conditions are validated by the request models (``agentgate.policy.conditions``) before
anything is written; a PATCH is re-checked as the merged policy.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from agentgate.data.ids import ordered_id
from agentgate.data.tenant import system_data, tenant_data
from agentgate.models import GovernanceSettingsItem, PolicyItem
from agentgate.platform.tenancy import TenantContext
from agentgate.policy.evaluator import PolicyRule
from agentgate.schemas.policies import (
    DEFAULT_APPROVAL_TIMEOUT_SECONDS,
    GovernanceSettings,
    GovernanceSettingsUpdate,
    Policy,
    PolicyCreate,
    PolicyPage,
    PolicyQuery,
    PolicyScopeOut,
    PolicyUpdate,
)

DEFAULT_DECISION: Literal["allow", "deny"] = "allow"


def _strings(values: Any) -> list[str]:
    """A pynamodb list of strings as ``list[str]``."""
    return [str(value) for value in values or []]


def _out(item: PolicyItem) -> Policy:
    return Policy(
        id=item.policy_id,
        name=item.name,
        description=item.description,
        scope=PolicyScopeOut(agents=_strings(item.scope_agents), teams=_strings(item.scope_teams)),
        conditions=item.conditions,
        action=item.action,  # type: ignore[arg-type]
        approvers=_strings(item.approvers),
        escalation_approvers=_strings(item.escalation_approvers),
        approval_timeout_seconds=int(item.approval_timeout_seconds)
        if item.approval_timeout_seconds
        else None,
        status=item.status,  # type: ignore[arg-type]
        four_eyes=item.four_eyes,
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def _load(ctx: TenantContext, policy_id: str) -> PolicyItem:
    return tenant_data(ctx).get(PolicyItem, PolicyItem.sk_for(policy_id), missing="No such policy.")


def _timeout(action: str, timeout: int | None) -> int | None:
    if action != "require_approval":
        return None
    return timeout or DEFAULT_APPROVAL_TIMEOUT_SECONDS


def create_policy(ctx: TenantContext, request: PolicyCreate) -> Policy:
    data = tenant_data(ctx)
    policy_id = ordered_id("pol")
    item = data.new(
        PolicyItem,
        PolicyItem.sk_for(policy_id),
        policy_id=policy_id,
        name=request.name,
        description=request.description,
        scope_agents=request.scope.agents,
        scope_teams=request.scope.teams,
        conditions=request.conditions,
        action=request.action,
        approvers=request.approvers,
        escalation_approvers=request.escalation_approvers,
        approval_timeout_seconds=_timeout(request.action, request.approval_timeout_seconds),
        status=request.status,
        four_eyes=request.four_eyes,
        created_at=datetime.now(UTC),
        created_by=data.actor,
    )
    data.record(
        lambda: data.put(item, PolicyItem.pk.does_not_exist()),
        action="policy.created",
        target=f"policy:{policy_id}",
        details={"name": item.name, "action": item.action},
    )
    return _out(item)


def list_policies(ctx: TenantContext, query: PolicyQuery) -> PolicyPage:
    page = tenant_data(ctx).page(
        PolicyItem,
        sk_prefix=PolicyItem.SK_PREFIX,
        filter=PolicyItem.status == query.status if query.status else None,
        limit=query.limit,
        cursor=query.cursor,
    )
    return PolicyPage(items=[_out(item) for item in page.items], next_cursor=page.next_cursor)


def get_policy(ctx: TenantContext, policy_id: str) -> Policy:
    return _out(_load(ctx, policy_id))


def update_policy(ctx: TenantContext, policy_id: str, request: PolicyUpdate) -> Policy:
    item = _load(ctx, policy_id)
    current = _out(item)
    merged: dict[str, Any] = {
        "name": current.name,
        "description": current.description,
        "scope": current.scope.model_dump(),
        "conditions": current.conditions,
        "action": current.action,
        "approvers": current.approvers,
        "escalation_approvers": current.escalation_approvers,
        "approval_timeout_seconds": current.approval_timeout_seconds,
        "status": current.status,
        "four_eyes": current.four_eyes,
    }
    changes = request.model_dump(include=request.model_fields_set)
    merged.update(changes)
    if merged["action"] != "require_approval":  # approval settings do not outlive the action they serve
        merged["escalation_approvers"] = changes.get("escalation_approvers", [])
        merged["approval_timeout_seconds"] = changes.get("approval_timeout_seconds")
    checked = PolicyCreate.model_validate(merged)  # the merged policy, checked as a whole (400 if not)
    item.name = checked.name
    item.description = checked.description
    item.scope_agents = checked.scope.agents  # type: ignore[assignment]
    item.scope_teams = checked.scope.teams  # type: ignore[assignment]
    item.conditions = checked.conditions
    item.action = checked.action
    item.approvers = checked.approvers  # type: ignore[assignment]
    item.escalation_approvers = checked.escalation_approvers  # type: ignore[assignment]
    item.approval_timeout_seconds = _timeout(checked.action, checked.approval_timeout_seconds)
    item.status = checked.status
    item.four_eyes = checked.four_eyes
    item.updated_at = datetime.now(UTC)
    data = tenant_data(ctx)
    data.record(
        lambda: data.put(item),
        action="policy.updated",
        target=f"policy:{policy_id}",
        details={"changed": sorted(changes)},
    )
    return _out(item)


def delete_policy(ctx: TenantContext, policy_id: str) -> None:
    item = _load(ctx, policy_id)
    data = tenant_data(ctx)
    data.record(
        lambda: data.delete(item),
        action="policy.deleted",
        target=f"policy:{policy_id}",
        details={"name": item.name},
    )


def default_decision(tenant_id: str) -> str:
    item = system_data(tenant_id).find(GovernanceSettingsItem, GovernanceSettingsItem.SK)
    return item.default_decision if item else DEFAULT_DECISION


def tenant_settings(tenant_id: str) -> GovernanceSettings:
    """The tenant's governance settings, each at its default until set."""
    item = system_data(tenant_id).find(GovernanceSettingsItem, GovernanceSettingsItem.SK)
    if item is None:
        return GovernanceSettings(default_decision=DEFAULT_DECISION)
    values: dict[str, Any] = {"default_decision": item.default_decision, "updated_at": item.updated_at}
    if item.four_eyes is not None:
        values["four_eyes"] = item.four_eyes
    if item.reservation_ttl_seconds is not None:
        values["reservation_ttl_seconds"] = int(item.reservation_ttl_seconds)
    return GovernanceSettings.model_validate(values)


def get_settings(ctx: TenantContext) -> GovernanceSettings:
    return tenant_settings(ctx.tenant_id)


def update_settings(ctx: TenantContext, request: GovernanceSettingsUpdate) -> GovernanceSettings:
    now = datetime.now(UTC)
    changes = {k: v for k, v in request.model_dump(include=request.model_fields_set).items() if v is not None}
    merged = tenant_settings(ctx.tenant_id).model_copy(update={**changes, "updated_at": now})
    data = tenant_data(ctx)
    item = data.new(
        GovernanceSettingsItem,
        GovernanceSettingsItem.SK,
        default_decision=merged.default_decision,
        four_eyes=merged.four_eyes,
        reservation_ttl_seconds=merged.reservation_ttl_seconds,
        updated_at=now,
    )
    audits: list[tuple[str, str, dict[str, Any]]] = []
    if "default_decision" in changes:
        audits.append(
            ("policy.default_changed", "policy:default", {"default_decision": merged.default_decision})
        )
    if changes.keys() - {"default_decision"}:
        audits.append(("policy.settings_changed", "policy:settings", {"changed": sorted(changes)}))
    if not audits:
        data.put(item)
    for index, (action, target, details) in enumerate(audits):
        # The item is written once, with the first entry; a second entry records the other change.
        data.record(
            (lambda: data.put(item)) if index == 0 else None, action=action, target=target, details=details
        )
    return merged


def tenant_rules(tenant_id: str) -> tuple[list[PolicyRule], dict[str, PolicyItem]]:
    """Every policy of the tenant as evaluator rules, and the items by id (approval settings)."""
    items = {
        item.policy_id: item
        for item in system_data(tenant_id).query(PolicyItem, sk_prefix=PolicyItem.SK_PREFIX)
    }
    rules = [
        PolicyRule(
            policy_id=item.policy_id,
            name=item.name,
            effect=item.action,
            conditions=item.conditions,
            agents=tuple(_strings(item.scope_agents)),
            teams=tuple(_strings(item.scope_teams)),
            active=item.status == "active",
        )
        for item in items.values()
    ]
    return rules, items

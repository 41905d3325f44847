"""A tier change, and everything a tier governs.

The tier lives on the tenant item, and every limit is read from there: the agent limit when an
agent is created, the authorizer's context (hence the retention of newly stored runs and the
quota shown by the usage routes) within the authorizer's cache bound (docs/authorizer.md).
What is not read from the tenant item is the API Gateway usage plan holding the tenant's key,
which applies the throttle and the daily quota: ``move_usage_key`` moves it. Data is never
deleted: after a downgrade, agents over the new limit stay and new ones are refused.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from agentgate.data.tenant import TenantData
from agentgate.models import TenantItem
from agentgate.platform.aws import client
from agentgate.platform.errors import DependencyUnavailable
from agentgate.platform.observability import logger
from agentgate.platform.settings import get_settings
from agentgate.tiers import TIER_ORDER

TIER_CHANGED = "tenant.tier_changed"


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def move_usage_key(usage_key_id: str, tier: str) -> None:
    """Put the tenant's API Gateway key on ``tier``'s usage plan and on no other (idempotent).

    A key may belong to one plan per API stage, so it leaves the other plans first; a request
    arriving in between is refused by the gateway for a moment rather than metered twice.
    """
    plans = get_settings().usage_plan_ids
    target = plans.get(tier)
    if not target:
        raise DependencyUnavailable(f"The usage plan of the {tier} tier is not configured.")
    apigateway = client("apigateway")
    holding = {plan_id for plan_id in plans.values() if _holds(apigateway, plan_id, usage_key_id)}
    for plan_id in holding - {target}:
        apigateway.delete_usage_plan_key(usagePlanId=plan_id, keyId=usage_key_id)
    if target not in holding:
        try:
            apigateway.create_usage_plan_key(usagePlanId=target, keyId=usage_key_id, keyType="API_KEY")
        except ClientError as exc:
            if _error_code(exc) != "ConflictException":  # a concurrent move put it there first
                raise


def _holds(apigateway: Any, plan_id: str, usage_key_id: str) -> bool:
    try:
        apigateway.get_usage_plan_key(usagePlanId=plan_id, keyId=usage_key_id)
    except ClientError as exc:
        if _error_code(exc) == "NotFoundException":
            return False
        raise
    return True


def direction(old: str, new: str) -> str:
    return "upgrade" if TIER_ORDER.index(new) > TIER_ORDER.index(old) else "downgrade"


def record_tier_change(data: TenantData, old: str, new: str, *, reason: str, details: dict[str, Any]) -> None:
    """After the tenant item's tier moved from ``old`` to ``new`` (and its key with it): audit, event."""
    change = {"from": old, "to": new, "direction": direction(old, new), "reason": reason, **details}
    data.record(
        None,
        action=TIER_CHANGED,
        target=f"tenant:{data.tenant_id}",
        details=change,
        event=TIER_CHANGED,
        event_data={"tenant_id": data.tenant_id, **change},
    )
    logger.info("tier changed", extra={"tenant_id": data.tenant_id, "from": old, "to": new})


def reconcile_usage_key(data: TenantData) -> None:
    """Put the key on the plan of the tier the tenant has now (a retried change converges on it)."""
    tenant = data.get(TenantItem, TenantItem.SK, missing="No such organisation.", consistent=True)
    if tenant.usage_key_id:
        move_usage_key(tenant.usage_key_id, tenant.tier)
    else:
        logger.warning("tenant without a usage key", extra={"tenant_id": data.tenant_id})

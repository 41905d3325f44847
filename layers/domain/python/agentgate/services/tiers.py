from __future__ import annotations

from agentgate.schemas.tiers import Tier, TierList
from agentgate.tiers import TIER_ORDER, TIERS


def list_tiers() -> TierList:
    return TierList(items=[Tier(**TIERS[name].as_dict()) for name in TIER_ORDER])

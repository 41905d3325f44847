"""Usage metering to Stripe: each tenant's API calls and runs of a day, sent to Stripe billing meters.

The daily rollup calls ``report_day`` for every tenant active that day, so a deployment can
price overage. Off unless a meter event name is configured (``STRIPE_METER_API_CALLS``,
``STRIPE_METER_RUNS``); only tenants with a Stripe customer are reported. Once per tenant, day and
usage: a marker item records what was sent, and the meter event's identifier is derived from the
same three, so a retry after Stripe accepted the event but before the marker was written is
refused by Stripe as a duplicate (which counts as delivered) instead of being counted twice.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from agentgate.data.tenant import TenantData
from agentgate.models import BillingItem, CostDayItem, MeterReportItem
from agentgate.platform.observability import logger
from agentgate.platform.settings import get_settings
from agentgate.services import costs
from agentgate.services.stripe_api import stripe_call, stripe_client

# Stripe's answer to a meter event whose identifier it holds already (400 invalid_request_error).
DUPLICATE_METER_EVENT = "duplicate_meter_event"


def meters() -> dict[str, str]:
    """Usage -> meter event name, for the meters configured."""
    settings = get_settings()
    configured = {"api_calls": settings.stripe_meter_api_calls, "runs": settings.stripe_meter_runs}
    return {usage: name for usage, name in configured.items() if name}


def identifier(tenant_id: str, day: date, usage: str) -> str:
    return f"agentgate:{tenant_id}:{day.isoformat()}:{usage}"


def _send_meter_event(params: dict[str, object]) -> None:
    """One meter event; Stripe refusing its identifier as a repeat means it was delivered before."""
    import stripe

    with stripe_call("billing.meter_events.create"):
        try:
            stripe_client().v1.billing.meter_events.create(params=params)  # type: ignore[arg-type]
        except stripe.InvalidRequestError as exc:
            if exc.code != DUPLICATE_METER_EVENT and "already exists with identifier" not in str(exc):
                raise
            logger.info("meter event delivered before", extra={"identifier": params["identifier"]})


def _runs(tenant_id: str, day: date) -> int:
    found = costs.counters(tenant_id, "org", costs.ORG, day, day).get(day)
    return int(found.runs) if isinstance(found, CostDayItem) else 0


def report_day(tenant_id: str, day: date, *, api_calls: int) -> int:
    """Send the day's usage of one tenant to its meters; returns how many meter events were sent."""
    configured = meters()
    if not configured:
        return 0
    data = TenantData.acting_for(tenant_id, "metering")
    billing = data.find(BillingItem, BillingItem.SK)
    if billing is None or not billing.stripe_customer_id:
        return 0
    values = {"api_calls": api_calls, "runs": _runs(tenant_id, day)}
    # The last second of the day: Stripe files the event under that day (within its 35 days).
    at = int((datetime.combine(day, time.min, tzinfo=UTC) + timedelta(days=1, seconds=-1)).timestamp())
    sent = 0
    for usage, event_name in configured.items():
        value = values[usage]
        sk = MeterReportItem.sk_for(day.isoformat(), usage)
        if value <= 0:
            continue
        if data.find(MeterReportItem, sk, consistent=True) is not None:
            continue  # reported already
        event_identifier = identifier(tenant_id, day, usage)
        _send_meter_event(
            {
                "event_name": event_name,
                "payload": {"stripe_customer_id": billing.stripe_customer_id, "value": str(value)},
                "identifier": event_identifier,
                "timestamp": at,
            }
        )
        data.put(
            data.new(
                MeterReportItem,
                sk,
                day=day.isoformat(),
                usage=usage,
                event_name=event_name,
                identifier=event_identifier,
                value=value,
                reported_at=datetime.now(UTC),
            )
        )
        sent += 1
    return sent

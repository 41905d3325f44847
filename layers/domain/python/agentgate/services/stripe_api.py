"""The Stripe client: its keys from Secrets Manager (AWS) or the environment (local), its address a setting.

``stripe`` is imported lazily: only the billing functions pay its import. Every call goes through
``stripe_call``, which turns Stripe being unreachable, throttling or refusing our credentials into
the API's 503 with ``Retry-After``: nothing a caller sent can fix those.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agentgate.platform.errors import DependencyUnavailable
from agentgate.platform.observability import logger
from agentgate.platform.settings import get_settings

if TYPE_CHECKING:
    import stripe

# The secret's value is read again after this long, so a rotated key is picked up without a deploy.
SECRET_MAX_AGE_SECONDS = 300
RETRY_AFTER_SECONDS = "5"
# One quick retry on a network error keeps a checkout under API Gateway's 29 s with Stripe slow.
MAX_NETWORK_RETRIES = 1


@dataclass(frozen=True)
class StripeCredentials:
    api_key: str
    webhook_secret: str


def credentials() -> StripeCredentials:
    settings = get_settings()
    if settings.stripe_secret_arn:
        from aws_lambda_powertools.utilities import parameters

        value: Any = parameters.get_secret(
            settings.stripe_secret_arn, transform="json", max_age=SECRET_MAX_AGE_SECONDS
        )
        return StripeCredentials(
            api_key=str(value.get("api_key", "")), webhook_secret=str(value.get("webhook_secret", ""))
        )
    return StripeCredentials(api_key=settings.stripe_api_key, webhook_secret=settings.stripe_webhook_secret)


_clients: dict[tuple[str, str], Any] = {}
_lock = threading.Lock()


def stripe_client() -> stripe.StripeClient:
    """One client per key and address per warm container."""
    import stripe

    api_key = credentials().api_key
    if not api_key:
        raise DependencyUnavailable(
            "Billing is not configured: no Stripe API key.", headers={"Retry-After": RETRY_AFTER_SECONDS}
        )
    base = get_settings().stripe_api_base
    with _lock:
        found = _clients.get((api_key, base))
        if found is None:
            found = _clients[(api_key, base)] = stripe.StripeClient(
                api_key,
                base_addresses={"api": base} if base else None,
                max_network_retries=MAX_NETWORK_RETRIES,
            )
    return found


def reset_clients() -> None:
    with _lock:
        _clients.clear()


@contextmanager
def stripe_call(what: str) -> Iterator[None]:
    """Stripe's failures as the API's 503 (logged with Stripe's request id, never the key)."""
    import stripe

    try:
        yield
    except stripe.StripeError as exc:
        unreachable = isinstance(exc, stripe.APIConnectionError)
        logger.warning(
            "stripe call failed",
            extra={
                "stripe_call": what,
                "stripe_error": type(exc).__name__,
                "stripe_code": getattr(exc, "code", None),
                "stripe_request_id": getattr(exc, "request_id", None),
                "stripe_message": str(getattr(exc, "user_message", "") or "")[:300],
            },
        )
        message = "Stripe is unreachable; retry shortly." if unreachable else "Stripe refused the request."
        raise DependencyUnavailable(
            message, code="billing_unavailable", headers={"Retry-After": RETRY_AFTER_SECONDS}
        ) from None


def price_id(tier: str) -> str:
    price = get_settings().stripe_price_ids.get(tier)
    if not price:
        raise DependencyUnavailable(
            f"Billing is not configured: no Stripe price for the {tier} tier.",
            code="billing_unavailable",
            headers={"Retry-After": RETRY_AFTER_SECONDS},
        )
    return price


def tier_for_price(price: str | None) -> str | None:
    return next((t for t, p in get_settings().stripe_price_ids.items() if p == price), None)

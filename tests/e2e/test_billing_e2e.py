"""The upgrade over HTTP against the running local stack (``make dev``): checkout, the Stripe emulator's
Pay button (a POST to the checkout URL), its signed events through /webhooks/stripe and the billing
queue, and a tenant that is on pro: its profile, its limits, and the gateway's throttle."""

from __future__ import annotations

import time
import uuid

import pytest
import requests

pytestmark = pytest.mark.e2e
TIMEOUT = 30


def _owner(api: str) -> dict[str, str]:
    """A new organisation's owner (the demo tenant stays as other suites expect it)."""
    email = f"billing-{uuid.uuid4().hex[:8]}@e2e.example"
    signup = requests.post(
        f"{api}/api/v1/auth/signup",
        json={"org_name": "E2E Billing", "email": email, "password": "E2e-password-123!"},
        timeout=TIMEOUT,
    )
    assert signup.status_code == 201, signup.text
    return {"Authorization": f"Bearer {signup.json()['tokens']['access_token']}"}


def _burst(api: str, owner: dict[str, str], n: int) -> list[int]:
    """``n`` requests as fast as one client sends them: more than the free tier's burst of 10."""
    with requests.Session() as session:
        return [
            session.get(f"{api}/api/v1/billing/subscription", headers=owner, timeout=TIMEOUT).status_code
            for _ in range(n)
        ]


def _subscription(api: str, owner: dict[str, str]) -> dict:
    reply = requests.get(f"{api}/api/v1/billing/subscription", headers=owner, timeout=TIMEOUT)
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_an_owner_upgrades_to_pro_from_the_command_line(local_stack):
    api = local_stack.api_url
    owner = _owner(api)
    assert _subscription(api, owner)["tier"] == "free"
    assert 429 in _burst(api, owner, 40)  # the free plan's bucket (10, refilled at 5/s) runs dry
    time.sleep(2.5)  # refilled

    checkout = requests.post(
        f"{api}/api/v1/billing/checkout", json={"tier": "pro"}, headers=owner, timeout=TIMEOUT
    )
    assert checkout.status_code == 201, checkout.text
    url = checkout.json()["url"]
    page = requests.get(url, timeout=TIMEOUT)
    assert page.status_code == 200 and "<button" in page.text and "Pay" in page.text
    paid = requests.post(url, timeout=TIMEOUT)  # what the Pay button does
    assert paid.status_code == 200 and "Payment succeeded" in paid.text

    deadline = time.monotonic() + TIMEOUT
    while (state := _subscription(api, owner))["tier"] != "pro" and time.monotonic() < deadline:
        time.sleep(0.5)
    assert (state["tier"], state["status"]) == ("pro", "active"), state
    assert state["stripe_subscription_id"].startswith("sub_")
    profile = requests.get(f"{api}/api/v1/orgs/profile", headers=owner, timeout=TIMEOUT).json()
    assert profile["tier"] == "pro"

    time.sleep(2.5)  # the gateway re-reads which usage plan holds the key every 2 s
    assert 429 not in _burst(api, owner, 40)  # pro's bucket holds 100

    again = requests.post(
        f"{api}/api/v1/billing/checkout", json={"tier": "pro"}, headers=owner, timeout=TIMEOUT
    )
    assert (again.status_code, again.json()["error"]["code"]) == (409, "not_an_upgrade")
    log = local_stack.log()
    assert "POST /webhooks/stripe 200" in log

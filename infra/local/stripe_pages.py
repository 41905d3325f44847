"""The Stripe emulator's pages: Checkout's Pay button and the customer portal's buttons (plain HTML forms).

Each form POSTs to its own page's URL, so ``curl -X POST <url>`` does what the button does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from typing import Any

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1a1f36}"
    "button{font-size:1rem;padding:.6rem 1.2rem;margin:.3rem .3rem 0 0;border-radius:6px;"
    "border:1px solid #635bff;background:#635bff;color:#fff;cursor:pointer}"
    "button.secondary{background:#fff;color:#635bff}.note{color:#697386;font-size:.9rem}"
    "section{border:1px solid #e3e8ee;border-radius:8px;padding:1rem;margin:1rem 0}"
)


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>{body}"
        '<p class="note">Local Stripe emulator (test mode): no money moves.</p></body></html>'
    )


def _usd(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def _day(timestamp: int | None) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d") if timestamp else "-"


def checkout_page(session: dict[str, Any], customer: dict[str, Any] | None) -> str:
    who = escape(str((customer or {}).get("name") or session["customer"]))
    tier = escape(str((session.get("metadata") or {}).get("tier", "subscription")))
    if session["status"] != "open":
        return _page("Already paid", f"<p>This checkout for {who} is complete.</p>")
    return _page(
        f"Subscribe to {tier}",
        f"<p>{who} &middot; {_usd(int(session['amount_total']))} a month</p>"
        '<form method="post"><button type="submit">Pay</button></form>'
        f'<p><a href="{escape(str(session["cancel_url"]))}">Cancel and go back</a></p>',
    )


def _subscription_section(subscription: dict[str, Any]) -> str:
    price = subscription["items"]["data"][0]["price"] if subscription["items"]["data"] else {}
    state = escape(str(subscription["status"]))
    if subscription.get("cancel_at_period_end"):
        state += f", cancels on {_day(subscription.get('current_period_end'))}"
    head = (
        f"<p><strong>{escape(str(subscription['metadata'].get('tier', price.get('id', ''))))}</strong> "
        f"&middot; {_usd(int(price.get('unit_amount') or 0))} a month &middot; {state}</p>"
        f'<p class="note">{escape(subscription["id"])} &middot; period ends '
        f"{_day(subscription.get('current_period_end'))}</p>"
    )
    if subscription["status"] == "canceled":
        return f"<section>{head}</section>"
    buttons = [
        ("resume", "Don't cancel") if subscription.get("cancel_at_period_end") else ("cancel", "Cancel plan"),
        ("end_period", "End the billing period now (test clock)"),
        ("fail_payment", "Fail the next payment"),
    ]
    forms = "".join(
        f'<form method="post" style="display:inline"><input type="hidden" name="subscription" '
        f'value="{escape(subscription["id"])}"><input type="hidden" name="action" value="{action}">'
        f'<button type="submit" class="{"" if action == "cancel" else "secondary"}">{label}</button></form>'
        for action, label in buttons
    )
    return f"<section>{head}{forms}</section>"


def portal_page(session: dict[str, Any], subscriptions: list[dict[str, Any]]) -> str:
    sections = "".join(_subscription_section(s) for s in sorted(subscriptions, key=lambda s: -s["created"]))
    back = session.get("return_url")
    link = f'<p><a href="{escape(str(back))}">Back</a></p>' if back else ""
    return _page("Billing", (sections or "<p>No subscriptions.</p>") + link)


def done_page(title: str, message: str, link: str | None) -> str:
    anchor = f'<p><a href="{escape(link)}">Continue</a></p>' if link else ""
    return _page(title, f"<p>{escape(message)}</p>{anchor}")

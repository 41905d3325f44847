"""The organisation's admin pages in a real browser against the local stack.

Each test starts from sign-up as a new user in a browser context of its own: the audit log and the
verification of its chain, the upgrade to pro through the Stripe emulator's checkout page, a viewer
invited from the members page who sees the pages but none of their change controls (and whose own
API call is refused), an API key shown once and revoked, webhooks with a test delivery to a local
receiver, and the organisation's settings. axe-core runs on every page (``check_page``).
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import RunningStack
from tests.e2e.portal.conftest import check_page, set_password

pytestmark = pytest.mark.e2e

PASSWORD = "Admin-pages-password-1"
TIMEOUT = 30


@pytest.fixture
def fresh(browser: Browser, portal: str) -> Iterator[Page]:
    """A browser tab of its own (no session), failing the test on any uncaught error of the portal."""
    context = browser.new_context(
        base_url=portal,
        bypass_csp=True,  # axe-core is injected as an inline script
        viewport={"width": 1280, "height": 900},
        permissions=["clipboard-read", "clipboard-write"],
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"uncaught errors in the portal: {errors}"


def sign_up(page: Page, org: str) -> str:
    """Sign up through the portal's form and leave the wizard for the console; returns the email."""
    email = f"admin-{uuid.uuid4().hex[:8]}@portal.example"
    page.goto("/signup")
    page.get_by_label("Organisation name").fill(org)
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Set up your first agent")).to_be_visible()
    page.goto("/app")
    expect(page.get_by_role("heading", name="Home")).to_be_visible()
    return email


def open_console_page(page: Page, link: str, heading: str) -> None:
    page.get_by_role("navigation", name="Console").get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.locator("[role=status].state-loading")).to_have_count(0)


def token_of(portal: str, email: str, password: str = PASSWORD) -> str:
    login = requests.post(
        f"{portal}/api/v1/auth/login", json={"email": email, "password": password}, timeout=TIMEOUT
    )
    assert login.status_code == 200, login.text
    return str(login.json()["tokens"]["access_token"])


def test_the_audit_log_filters_shows_an_entry_and_verifies_the_chain(fresh: Page, portal: str) -> None:
    page = fresh
    email = sign_up(page, "Audit Org")
    open_console_page(page, "Audit log", "Audit log")
    table = page.get_by_role("table", name="Audit entries, newest first")
    expect(table).to_contain_text("tenant.created")
    expect(table).to_contain_text("member.added")
    check_page(page, "audit")

    # Every entity of one kind (members are users): only the member's entry is left.
    page.get_by_label("Entity").fill("user")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"entity=user"))
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("member.added")
    expect(table).not_to_contain_text("tenant.created")
    page.get_by_label("Action").fill("agent.paused")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("No entries match these filters.")).to_be_visible()
    page.get_by_role("button", name="Clear").click()
    expect(table).to_contain_text("tenant.created")

    page.get_by_role("button", name="Details of entry 1").click()
    detail = page.get_by_role("region", name="Entry 1")
    expect(detail).to_contain_text("tenant.created")
    expect(detail).to_contain_text("0" * 64)  # the first entry follows the genesis hash
    check_page(page, "audit-entry")

    page.get_by_role("button", name="Verify the chain").click()
    result = page.get_by_test_id("verify-result")
    expect(result).to_contain_text("The chain is intact")
    api = requests.get(
        f"{portal}/api/v1/audit/verify",
        headers={"Authorization": f"Bearer {token_of(portal, email)}"},
        timeout=TIMEOUT,
    ).json()
    assert api["valid"] is True and api["entries_checked"] >= 2
    expect(page.get_by_test_id("entries-checked")).to_have_text(str(api["entries_checked"]))
    expect(page.get_by_test_id("head-hash")).to_have_text(api["head_hash"])
    expect(page.get_by_test_id("first-bad-entry")).to_have_text("none")
    check_page(page, "audit-verified")


def test_an_owner_upgrades_to_pro_through_the_emulators_checkout(fresh: Page, portal: str) -> None:
    page = fresh
    sign_up(page, "Billing Org")
    open_console_page(page, "Billing", "Billing and usage")
    expect(page.get_by_test_id("current-tier")).to_have_text("free")
    expect(page.get_by_test_id("subscription-status")).to_contain_text("no subscription")
    tiers = {t["name"]: t for t in requests.get(f"{portal}/api/v1/tiers", timeout=TIMEOUT).json()["items"]}
    expect(page.get_by_test_id("limit-quota")).to_have_text(f"{tiers['free']['daily_quota']:,}")
    expect(page.get_by_role("meter", name="API calls today")).to_be_visible()
    check_page(page, "billing-free")

    page.get_by_role("button", name="Upgrade to pro").click()
    dialog = page.get_by_role("dialog", name="Upgrade to pro?")
    expect(dialog).to_contain_text("Stripe's checkout opens")
    dialog.get_by_role("button", name="Go to payment").click()

    # The local Stripe emulator's checkout page, on its own port.
    expect(page.get_by_role("heading", name="Subscribe to pro")).to_be_visible()
    assert not page.url.startswith(portal)
    page.get_by_role("button", name="Pay").click()
    expect(page.get_by_role("heading", name="Payment succeeded")).to_be_visible()
    page.get_by_role("link", name="Continue").click()

    expect(page).to_have_url(re.compile(r"/app/billing\?checkout=success"))
    expect(page.get_by_test_id("upgrade-done")).to_contain_text("you are on pro", timeout=45_000)
    expect(page.get_by_test_id("current-tier")).to_have_text("pro")
    expect(page.get_by_test_id("subscription-status")).to_contain_text("active")
    expect(page.get_by_test_id("limit-quota")).to_have_text(f"{tiers['pro']['daily_quota']:,}")
    expect(page.get_by_test_id("limit-agents")).to_have_text(f"{tiers['pro']['agent_limit']:,}")
    # The usage route reads the tier from the authorizer's answer, which the gateway caches for up to
    # its TTL (60 s): the page refreshes it until it counts against pro's quota too.
    expect(page.get_by_role("heading", name="Usage today against the pro tier's limits")).to_be_visible(
        timeout=90_000
    )
    quota = f"{tiers['pro']['daily_quota']:,}"
    expect(page.get_by_test_id("usage-API calls today")).to_contain_text(f"of {quota} calls today")
    expect(page.get_by_test_id("usage-settling")).to_have_count(0)
    expect(page.get_by_role("button", name="Upgrade to pro")).to_have_count(0)
    expect(page.get_by_role("button", name="Open the customer portal")).to_be_visible()
    check_page(page, "billing-pro")


def test_an_invited_viewer_sees_the_pages_but_no_change_controls(
    fresh: Page, browser: Browser, portal: str, local_stack: RunningStack
) -> None:

    page = fresh
    sign_up(page, "Members Org")
    open_console_page(page, "Members", "Members")
    viewer_email = f"viewer-{uuid.uuid4().hex[:6]}@portal.example"
    page.get_by_label("Email").fill(viewer_email)
    page.get_by_label("Role", exact=True).select_option("viewer")
    page.get_by_label("Team (optional)").fill("platform")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text(f"{viewer_email} is invited as Viewer")).to_be_visible()
    members = page.get_by_role("table", name="Members")
    expect(members).to_contain_text(viewer_email)
    check_page(page, "members")

    # The last owner cannot step down: the page explains the rule instead of the code.
    owner_row = members.locator("tr", has_text="(you)")
    owner_row.get_by_role("combobox").select_option("admin")
    owner_row.get_by_role("button", name=re.compile("^Save ")).click()
    expect(page.locator(".form-error")).to_contain_text("always keeps at least one owner")

    # Cognito's invitation email carries a temporary password; moto sends no email, so the test sets
    # one the way the journey test does, and the viewer signs in with it through the portal.
    set_password(local_stack, viewer_email, "Temporary-pass-1", permanent=False)
    context = browser.new_context(base_url=portal, bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        viewer = context.new_page()
        viewer.goto("/signin")
        viewer.get_by_label("Email").fill(viewer_email)
        viewer.get_by_label("Password", exact=True).fill("Temporary-pass-1")
        viewer.get_by_role("button", name="Sign in").click()
        expect(viewer.locator(".form-error")).to_contain_text("choose a new password")
        viewer.get_by_label("New password").fill("Viewer-password-2")
        viewer.get_by_role("button", name="Sign in").click()
        expect(viewer.get_by_role("heading", name="Home")).to_be_visible()

        open_console_page(viewer, "Members", "Members")
        expect(viewer.get_by_role("table", name="Members")).to_contain_text(f"{viewer_email} (you)")
        expect(viewer.get_by_text("Inviting and changing members needs the admin role.")).to_be_visible()
        expect(viewer.get_by_role("button", name="Send invitation")).to_have_count(0)
        expect(viewer.get_by_role("button", name=re.compile("^(Remove|Save) "))).to_have_count(0)
        expect(viewer.get_by_role("combobox")).to_have_count(0)
        check_page(viewer, "viewer-members")

        open_console_page(viewer, "Settings", "Organisation settings")
        expect(viewer.get_by_test_id("org-name")).to_have_text("Members Org")
        expect(viewer.get_by_test_id("default-decision")).to_be_visible()
        expect(viewer.get_by_role("button", name=re.compile("^Save"))).to_have_count(0)
        expect(viewer.get_by_role("textbox")).to_have_count(0)
        check_page(viewer, "viewer-settings")

        open_console_page(viewer, "Billing", "Billing and usage")
        expect(viewer.get_by_test_id("owner-only")).to_be_visible()
        expect(viewer.get_by_role("meter", name="API calls today")).to_be_visible()
        expect(viewer.get_by_role("button", name=re.compile("Upgrade|customer portal"))).to_have_count(0)
        check_page(viewer, "viewer-billing")

        for link, heading in [("API keys", "API keys"), ("Webhooks", "Webhooks"), ("Audit log", "Audit log")]:
            open_console_page(viewer, link, heading)
            expect(viewer.get_by_text("Not allowed")).to_be_visible()
            controls = re.compile("^(Create key|Add subscription|Verify the chain)")
            expect(viewer.get_by_role("button", name=controls)).to_have_count(0)
            check_page(viewer, f"viewer-{link.lower().replace(' ', '-')}")
    finally:
        context.close()

    viewer_token = token_of(portal, viewer_email, "Viewer-password-2")
    refused = requests.post(
        f"{portal}/api/v1/api-keys",
        json={"name": "viewer-key", "scopes": ["agents:read"]},
        headers={"Authorization": f"Bearer {viewer_token}"},
        timeout=TIMEOUT,
    )
    assert refused.status_code == 403, refused.text


def test_an_api_key_is_shown_once_and_then_revoked(fresh: Page, portal: str) -> None:
    page = fresh
    sign_up(page, "Keys Org")
    open_console_page(page, "API keys", "API keys")
    expect(page.get_by_text("No API keys yet.")).to_be_visible()
    page.get_by_label("Key name").fill("ci-deploy")
    page.get_by_role("checkbox", name=re.compile("^agents:read")).check()
    check_page(page, "api-keys-new")
    page.get_by_role("button", name="Create key").click()

    expect(page.get_by_text("Copy the key now: it is shown only once.")).to_be_visible()
    key = page.get_by_role("textbox", name="API key ci-deploy").input_value()
    assert key.startswith("agk_")
    page.get_by_role("button", name="Copy API key ci-deploy").click()
    expect(page.get_by_role("button", name="✓ Copied API key ci-deploy")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == key
    check_page(page, "api-keys-created")
    used = requests.get(
        f"{portal}/api/v1/agents", headers={"Authorization": f"Bearer {key}"}, timeout=TIMEOUT
    )
    assert used.status_code == 200, used.text

    page.get_by_role("button", name="I have stored it: hide").click()
    expect(page.get_by_role("textbox", name="API key ci-deploy")).to_have_count(0)
    assert key not in page.content()  # shown once: the list has only its prefix
    keys = page.get_by_role("table", name="API keys")
    expect(keys).to_contain_text("ci-deploy")
    expect(keys).to_contain_text(key[:8])

    keys.get_by_role("button", name="Revoke ci-deploy").click()
    dialog = page.get_by_role("dialog", name="Revoke the key ci-deploy?")
    expect(dialog).to_contain_text("cannot be undone")
    check_page(page, "api-keys-revoke-dialog")
    dialog.get_by_role("button", name="Revoke key").click()
    expect(keys).to_contain_text("revoked")
    expect(keys.get_by_role("button", name="Revoke ci-deploy")).to_have_count(0)
    check_page(page, "api-keys")

    deadline = time.monotonic() + TIMEOUT  # the gateway's authorizer cache forgets the key within seconds
    while (
        status := requests.get(
            f"{portal}/api/v1/agents", headers={"Authorization": f"Bearer {key}"}, timeout=TIMEOUT
        ).status_code
    ) == 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert status in (401, 403), status


class _Receiver:
    """A webhook receiver on loopback (the local stack allows loopback URLs)."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        bodies = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_a_webhook_gets_a_test_delivery_and_the_settings_save(fresh: Page) -> None:
    page = fresh
    sign_up(page, "Hooks Org")
    open_console_page(page, "Webhooks", "Webhooks")
    receiver = _Receiver()
    try:
        page.get_by_label("URL").fill(receiver.url)
        page.get_by_role("checkbox", name="agent.paused").check()
        page.get_by_role("button", name="Add subscription").click()
        expect(page.get_by_text("Copy the signing secret now: it is shown only once.")).to_be_visible()
        assert page.get_by_role("textbox", name="Signing secret").input_value().startswith("whsec_")
        check_page(page, "webhooks-created")
        page.get_by_role("button", name="I have stored it: hide").click()

        page.get_by_role("button", name="Send test event").click()
        expect(page.get_by_text("webhook.test event is on its way")).to_be_visible()
        deliveries = page.get_by_role("table", name=f"Deliveries to {receiver.url}")
        deadline = time.monotonic() + TIMEOUT  # the stack's queue poller delivers
        while "HTTP 204" not in (deliveries.inner_text() if deliveries.count() else ""):
            assert time.monotonic() < deadline, "the test delivery did not arrive"
            time.sleep(1)
            page.get_by_role("button", name="Refresh").click()
            expect(page.locator("[role=status].state-loading")).to_have_count(0)
        assert receiver.bodies and b"webhook.test" in receiver.bodies[0]
        expect(deliveries).to_contain_text("delivered")
        expect(deliveries).to_contain_text("#1")
        check_page(page, "webhooks-deliveries")

        page.get_by_role("button", name="Delete").click()
        dialog = page.get_by_role("dialog", name="Delete this subscription?")
        expect(dialog).to_contain_text(receiver.url)
        dialog.get_by_role("button", name="Delete subscription").click()
        expect(page.get_by_text("No subscriptions yet.")).to_be_visible()
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()

    open_console_page(page, "Settings", "Organisation settings")
    page.get_by_label("Organisation name").fill("Hooks Org Renamed")
    page.get_by_role("button", name="Save name").click()
    expect(page.get_by_label("Organisation name")).to_have_value("Hooks Org Renamed")
    expect(page.get_by_role("region", name="Profile").get_by_role("status")).to_have_text(re.compile("Saved"))

    defaults = page.get_by_role("region", name="Policy defaults")
    allow = defaults.get_by_role("radio", name=re.compile("^Allow"))
    deny = defaults.get_by_role("radio", name=re.compile("^Deny"))
    four_eyes = defaults.get_by_role("checkbox", name=re.compile("^Four eyes by default"))
    expect(allow).to_be_checked()  # a new tenant allows what no policy covers
    deny.check()
    four_eyes.check()
    defaults.get_by_role("button", name="Save policy defaults").click()  # tightening: no question asked
    expect(defaults.get_by_role("status")).to_have_text(re.compile("Saved"))
    expect(deny).to_be_checked()
    expect(four_eyes).to_be_checked()
    check_page(page, "settings")

    allow.check()
    defaults.get_by_role("button", name="Save policy defaults").click()
    dialog = page.get_by_role("dialog", name="Allow requests that no policy covers?")
    expect(dialog).to_contain_text("allowed instead of refused")
    check_page(page, "settings-confirm")
    dialog.get_by_role("button", name="Allow by default").click()
    expect(defaults.get_by_role("status")).to_have_text(re.compile("Saved"))
    expect(allow).to_be_checked()

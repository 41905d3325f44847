"""The governance pages in a real browser against the local stack: approvals, policies, budgets and the
kill switch, each journey starting from a new user's sign-up, the agent speaking HTTP with a real token.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import requests
from playwright.sync_api import Browser, Page, expect
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from tests.e2e.portal.conftest import check_page, set_password

pytestmark = pytest.mark.e2e

PASSWORD = "Governance-test-password-1"
TIMEOUT = 30
# A new tenant is on the free tier (5 requests a second, burst 10), shared by the portal and the agent:
# a 429 is answered with Retry-After, and the agent's requests wait it out as any client would.
http = requests.Session()
http.mount(
    "http://",
    HTTPAdapter(
        max_retries=Retry(
            total=10, status_forcelist=[429], allowed_methods=None, respect_retry_after_header=True
        )
    ),
)


@dataclass
class Tenant:
    page: Page
    api: str
    owner: dict[str, str]  # the owner's Authorization header, for what the test does over HTTP


@dataclass
class AgentCredentials:
    id: str
    name: str
    client_id: str
    client_secret: str

    def token(self, api: str) -> str:
        issued = http.post(
            f"{api}/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=(self.client_id, self.client_secret),
            timeout=TIMEOUT,
        )
        assert issued.status_code == 200, issued.text
        return issued.json()["access_token"]


@pytest.fixture
def tenant(browser: Browser, portal: str) -> Iterator[Tenant]:
    """A new user signs up in the browser (a context of its own); the owner's token is for HTTP calls."""
    context = browser.new_context(base_url=portal, bypass_csp=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    email = f"gov-{uuid.uuid4().hex[:8]}@portal.example"
    page.goto("/signup")
    page.get_by_label("Organisation name").fill("Governance Test Org")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Set up your first agent")).to_be_visible()
    login = http.post(
        f"{portal}/api/v1/auth/login", json={"email": email, "password": PASSWORD}, timeout=TIMEOUT
    )
    assert login.status_code == 200, login.text
    yield Tenant(page, portal, {"Authorization": f"Bearer {login.json()['tokens']['access_token']}"})
    context.close()
    assert errors == [], f"uncaught errors in the portal: {errors}"


def register_agent(tenant: Tenant, name: str, scopes: list[str]) -> AgentCredentials:
    created = http.post(
        f"{tenant.api}/api/v1/agents",
        json={"name": name, "scopes": scopes},
        headers=tenant.owner,
        timeout=TIMEOUT,
    )
    assert created.status_code == 201, created.text
    agent_id = created.json()["id"]
    credential = http.post(
        f"{tenant.api}/api/v1/agents/{agent_id}/credentials", json={}, headers=tenant.owner, timeout=TIMEOUT
    )
    assert credential.status_code == 201, credential.text
    return AgentCredentials(
        agent_id, name, credential.json()["client_id"], credential.json()["client_secret"]
    )


def console(page: Page, link: str) -> None:
    page.get_by_role("navigation", name="Console").get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", name=link, exact=True, level=1)).to_be_visible()


def poll_until(check, seconds: float, what: str):
    """Ask again every half second until ``check()`` is truthy; a deadline, not a timing target."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            assert value, f"{what} within {seconds} s"
            return value
        time.sleep(0.5)


def test_a_policy_made_in_the_editor_gates_deploy_and_the_inbox_approval_reaches_the_agent(
    tenant: Tenant,
) -> None:
    page, api = tenant.page, tenant.api
    agent = register_agent(tenant, "gov-deployer", ["approvals:read"])

    page.goto("/app/policies")
    expect(page.get_by_role("heading", name="Policies", level=1)).to_be_visible()
    expect(page.get_by_text("No policies yet: the tenant default decides every request.")).to_be_visible()
    expect(page.get_by_role("region", name="When no policy applies")).to_contain_text("allow")
    check_page(page, "gov-policies-empty")
    page.get_by_role("link", name="Create a policy").click()
    expect(page.get_by_role("heading", name="Create a policy", level=1)).to_be_visible()
    page.get_by_label("Name", exact=True).fill("deploys need a person")
    expect(page.get_by_label("Decision")).to_have_value("require_approval")

    # The JSON view; an unknown field is refused by the API and shown on the condition it names.
    page.get_by_role("button", name="JSON").click()
    page.get_by_label("Conditions as JSON (empty: none)").fill(
        '{"all": [{"field": "agent.name", "op": "eq", "value": "deploy"}]}'
    )
    page.get_by_role("button", name="Create policy").click()
    condition = page.get_by_role("group", name="Condition 1")
    expect(condition).to_contain_text("unknown field 'agent.name'")
    expect(condition.get_by_label("Field")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".form-error")).to_contain_text("Check the fields marked below")
    check_page(page, "gov-policy-field-error")
    condition.get_by_label("Field").fill("action")
    expect(condition.get_by_label("Value")).to_have_value("deploy")

    # The dry run with the draft: pending, and nothing is recorded (no approval appears below).
    page.get_by_label("Agent", exact=True).select_option(label="gov-deployer (no team)")
    page.get_by_label("Action", exact=True).fill("deploy")
    page.get_by_role("button", name="Run the test").click()
    result = page.get_by_test_id("test-result")
    expect(result).to_contain_text("pending")
    expect(result).to_contain_text("This policy applies")
    check_page(page, "gov-policy-form")
    page.get_by_role("button", name="Create policy").click()
    expect(page.get_by_role("heading", name="Policies", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="deploys need a person", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="action eq deploy")).to_be_visible()
    check_page(page, "gov-policies")

    console(page, "Approvals")
    expect(page.get_by_text("Nothing waits for you.")).to_be_visible()
    check_page(page, "gov-approvals-empty")
    token = agent.token(api)
    asked = http.post(
        f"{api}/api/v1/authorize",
        json={
            "action": "deploy",
            "resource": "prod-cluster",
            "context": {"ticket": "OPS-7"},
            "estimated_cost_usd": "1.50",
        },
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT,
    )
    assert asked.status_code == 200, asked.text
    assert asked.json()["decision"] == "pending", asked.text
    approval_id = asked.json()["approval_id"]

    # No reload: the inbox's polling brings it in.
    card = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=re.compile("^deploy by gov-deployer"))
    )
    expect(card).to_be_visible(timeout=45_000)
    expect(card).to_contain_text("prod-cluster")
    expect(card).to_contain_text("OPS-7")
    expect(card).to_contain_text("$1.50")
    expect(card.get_by_role("link", name="deploys need a person", exact=True)).to_be_visible()
    expect(card.get_by_role("timer")).to_contain_text(re.compile(r"\d+ (min|s)"))
    check_page(page, "gov-approvals-waiting")

    card.get_by_role("button", name="Approve", exact=True).click()
    dialog = page.get_by_role("dialog", name="Approve deploy by gov-deployer?")
    dialog.get_by_label("Comment (optional, kept with the decision)").fill("checked the change ticket")
    check_page(page, "gov-approve-dialog")
    dialog.get_by_role("button", name="Approve request").click()
    expect(page.get_by_role("status").filter(has_text="✓ Approved: deploy by gov-deployer.")).to_be_visible()
    history = page.get_by_role("region", name="Decided and expired")
    expect(history.get_by_role("row").filter(has_text="approved")).to_contain_text(
        "checked the change ticket"
    )
    expect(history).to_contain_text("user:")
    check_page(page, "gov-approvals-history")

    read = http.get(
        f"{api}/api/v1/approvals/{approval_id}", headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT
    )
    assert read.status_code == 200, read.text
    assert read.json()["status"] == "approved"
    assert read.json()["comment"] == "checked the change ticket"


def test_a_one_cent_budget_pauses_the_agent_and_its_page_resumes_it(tenant: Tenant) -> None:
    page, api = tenant.page, tenant.api
    agent = register_agent(tenant, "gov-spender", ["runs:write"])

    page.goto("/app/budgets")
    expect(page.get_by_role("heading", name="Budgets", level=1)).to_be_visible()
    expect(page.get_by_text("No budgets yet: spending is not capped.")).to_be_visible()
    check_page(page, "gov-budgets-empty")
    page.get_by_role("link", name="Create a budget").click()
    page.get_by_label("Name (optional)").fill("Tiny cap")
    page.get_by_label("Applies to").select_option("agent")
    page.get_by_label("Agent", exact=True).select_option(label="gov-spender")
    page.get_by_label("Period").select_option("monthly")
    page.get_by_label("Maximum in USD").fill("0.01")
    page.get_by_label("Alert at (% of the maximum)").fill("50")
    page.get_by_label("Auto-pause at (% of the maximum, optional)").fill("100")
    check_page(page, "gov-budget-form")
    page.get_by_role("button", name="Create budget").click()
    budget = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Tiny cap"))
    expect(budget).to_contain_text("$0.01")
    expect(budget.get_by_role("img", name=re.compile("spent .* of \\$0\\.01"))).to_be_visible()
    check_page(page, "gov-budgets")

    token = agent.token(api)
    for n in range(2):
        run = {
            "run_id": f"budget-run-{uuid.uuid4().hex[:8]}-{n}",
            "status": "success",
            # Spend counts in the period of the run's start; the assertions below hold in any period.
            "start_time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "model": "claude-sonnet-4-5",
            "provider": "anthropic",
            "token_usage": {"input": 100_000, "output": 10_000, "cache_read": 0, "cache_write": 0},
            "events": [],
        }
        sent = http.post(
            f"{api}/api/v1/ingest/run",
            json=run,
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT,
        )
        if sent.status_code == 403:
            break  # the first run's cost already paused it
        assert sent.status_code == 202, sent.text

    def paused() -> bool:
        reply = http.get(f"{api}/api/v1/agents/{agent.id}", headers=tenant.owner, timeout=TIMEOUT)
        return reply.json()["status"] == "paused"

    poll_until(paused, 60, "the runs consumer costs the runs and the budget pauses the agent")
    page.reload()
    budget = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Tiny cap"))
    expect(budget).to_contain_text("Paused by budget Tiny cap at 100 %: gov-spender.")
    expect(budget.get_by_role("link", name="gov-spender")).to_be_visible()
    check_page(page, "gov-budget-paused")
    budget.get_by_role("button", name="Resume gov-spender").click()
    dialog = page.get_by_role("dialog", name="Resume gov-spender?")
    dialog.get_by_role("button", name="Resume agents").click()
    expect(page.get_by_role("status").filter(has_text="Resumed gov-spender.")).to_be_visible()
    expect(budget).not_to_contain_text("Paused by budget")
    reply = http.get(f"{api}/api/v1/agents/{agent.id}", headers=tenant.owner, timeout=TIMEOUT)
    assert reply.json()["status"] == "active"
    agent.token(api)  # a resumed agent gets tokens again


def test_the_kill_switch_pauses_everything_after_typed_confirmation_and_the_api_refuses_the_agent(
    tenant: Tenant,
) -> None:
    page, api = tenant.page, tenant.api
    agent = register_agent(tenant, "gov-worker", ["approvals:read"])
    token = agent.token(api)
    bearer = {"Authorization": f"Bearer {token}"}

    def agent_status() -> int:
        return http.get(f"{api}/api/v1/approvals", headers=bearer, timeout=TIMEOUT).status_code

    assert agent_status() == 200

    page.goto("/app")
    expect(page.get_by_role("heading", name="Home", level=1)).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="Everything is paused")).to_have_count(0)
    page.get_by_role("button", name="⛔ Kill switch").click()
    dialog = page.get_by_role("dialog", name="Pause with the kill switch?")
    expect(dialog.get_by_role("radio", name=re.compile("^Everything"))).to_be_checked()
    confirm = dialog.get_by_role("button", name="Pause now")
    expect(confirm).to_be_disabled()
    typed = dialog.get_by_label("Type pause everything to confirm")
    typed.fill("pause")
    expect(confirm).to_be_disabled()
    typed.fill("pause everything")
    dialog.get_by_label("Reason (optional, kept in the audit log)").fill("governance browser test")
    check_page(page, "gov-kill-switch-dialog")
    confirm.click()

    banner = page.get_by_role("alert").filter(has_text="Everything is paused.")
    expect(banner).to_be_visible()
    outcome = page.get_by_role("region", name="Everything is paused")
    expect(outcome.get_by_role("row").filter(has_text="gov-worker")).to_contain_text(
        "refused (403): the organisation is paused"
    )
    check_page(page, "gov-kill-switch-paused")
    poll_until(lambda: agent_status() == 403, 10, "the agent's token in use is refused")

    console(page, "Agents")
    expect(banner).to_be_visible()  # on every console page while paused
    banner.get_by_role("button", name="Resume everything").click()
    dialog = page.get_by_role("dialog", name="Resume with the kill switch?")
    dialog.get_by_label("Type resume everything to confirm").fill("resume everything")
    dialog.get_by_role("button", name="Resume now").click()
    expect(banner).to_have_count(0)
    expect(page.get_by_role("region", name="Everything is resumed")).to_contain_text("allowed")
    check_page(page, "gov-kill-switch-resumed")
    poll_until(lambda: agent_status() == 200, 10, "the agent's token is admitted again")


def test_under_four_eyes_the_agents_registrant_is_refused_with_the_api_s_reason(tenant: Tenant) -> None:
    page, api = tenant.page, tenant.api
    agent = register_agent(tenant, "gov-own-agent", ["approvals:read"])  # registered by this owner
    created = http.post(
        f"{api}/api/v1/policies",
        json={"name": "refunds need a person", "action": "require_approval", "conditions": None},
        headers=tenant.owner,
        timeout=TIMEOUT,
    )
    assert created.status_code == 201, created.text

    page.goto("/app/policies")
    page.get_by_role("button", name="Turn four eyes by default on").click()
    page.get_by_role("dialog", name="Turn four eyes by default on?").get_by_role(
        "button", name="Change the default"
    ).click()
    expect(page.get_by_role("region", name="When no policy applies")).to_contain_text(
        "Four eyes by default: on"
    )

    token = agent.token(api)
    asked = http.post(
        f"{api}/api/v1/authorize",
        json={"action": "payments.refund"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT,
    )
    assert asked.json()["decision"] == "pending", asked.text

    console(page, "Approvals")
    expect(
        page.get_by_text("Nothing waits for you.")
    ).to_be_visible()  # not listed as the registrant's to decide
    others = page.get_by_role("region", name=re.compile("^Other pending requests"))
    card = others.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=re.compile("^payments.refund"))
    )
    expect(card).to_contain_text("four eyes: not the agent's registrant")
    card.get_by_role("button", name="Approve", exact=True).click()
    page.get_by_role("dialog", name=re.compile("^Approve payments.refund")).get_by_role(
        "button", name="Approve request"
    ).click()
    expect(card.get_by_role("alert")).to_contain_text(
        "Four-eyes approval applies to this request: you registered agent"
    )
    check_page(page, "gov-approvals-four-eyes")
    read = http.get(
        f"{api}/api/v1/approvals/{asked.json()['approval_id']}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT,
    )
    assert read.json()["status"] == "pending"


def test_a_viewer_sees_the_governance_pages_without_their_change_controls(
    tenant: Tenant, browser: Browser, local_stack
) -> None:

    api = tenant.api
    agent = register_agent(tenant, "gov-watched", ["approvals:read"])
    for path, body in [
        ("/api/v1/policies", {"name": "all need a person", "action": "require_approval"}),
        (
            "/api/v1/budgets",
            {"name": "Org cap", "scope": "org", "max_amount_usd": "100", "period": "monthly"},
        ),
    ]:
        made = http.post(f"{api}{path}", json=body, headers=tenant.owner, timeout=TIMEOUT)
        assert made.status_code == 201, made.text
    asked = http.post(
        f"{api}/api/v1/authorize",
        json={"action": "deploy"},
        headers={"Authorization": f"Bearer {agent.token(api)}"},
        timeout=TIMEOUT,
    )
    assert asked.json()["decision"] == "pending", asked.text

    viewer_email = f"viewer-{uuid.uuid4().hex[:6]}@portal.example"
    invited = http.post(
        f"{api}/api/v1/org-members",
        json={"email": viewer_email, "role": "viewer"},
        headers=tenant.owner,
        timeout=TIMEOUT,
    )
    assert invited.status_code == 201, invited.text
    set_password(local_stack, viewer_email, "Viewer-password-2", permanent=True)

    context = browser.new_context(base_url=api, bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        viewer = context.new_page()
        viewer.goto("/signin")
        viewer.get_by_label("Email").fill(viewer_email)
        viewer.get_by_label("Password", exact=True).fill("Viewer-password-2")
        viewer.get_by_role("button", name="Sign in").click()
        expect(viewer.get_by_role("heading", name="Home", level=1)).to_be_visible()
        expect(viewer.get_by_role("button", name="⛔ Kill switch")).to_have_count(0)

        console(viewer, "Policies")
        expect(viewer.get_by_role("cell", name=re.compile("^all need a person"))).to_be_visible()
        for control in ["Create a policy", "Edit all need a person"]:
            expect(viewer.get_by_role("link", name=control)).to_have_count(0)
        for control in ["Disable all need a person", "Delete all need a person", "Make the default deny"]:
            expect(viewer.get_by_role("button", name=control)).to_have_count(0)
        check_page(viewer, "gov-viewer-policies")
        viewer.goto("/app/policies/new")
        expect(viewer.get_by_text("Not allowed")).to_be_visible()

        console(viewer, "Budgets")
        expect(viewer.get_by_role("heading", name="Org cap")).to_be_visible()
        expect(viewer.get_by_role("link", name="Create a budget")).to_have_count(0)
        expect(viewer.get_by_role("link", name="Edit budget Org cap")).to_have_count(0)

        console(viewer, "Approvals")
        card = viewer.get_by_role("listitem").filter(
            has=viewer.get_by_role("heading", name=re.compile("^deploy by"))
        )
        expect(card).to_contain_text("Deciding needs the member role or higher")
        expect(card.get_by_role("button", name=re.compile("^(Approve|Reject)$"))).to_have_count(0)
        check_page(viewer, "gov-viewer-approvals")
    finally:
        context.close()

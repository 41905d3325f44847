"""A new tenant's first five minutes in the portal, in a real browser against the local stack.

The tests run in order and share one signed-in browser page: sign-up, the wizard and the first
run (sent with the snippet's own commands), its timeline, the home chart, the other pages, and
pausing the agent from its page, after which the API refuses its token.
"""

from __future__ import annotations

import re
import subprocess
import uuid
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.e2e.portal.conftest import check_page, set_password

pytestmark = pytest.mark.e2e

PASSWORD = "Portal-test-password-1"
JOURNEY: dict[str, str] = {}


def test_the_public_pages_render_and_pass_axe(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("AI agents")
    check_page(page, "landing")

    page.get_by_role("link", name="Pricing").click()
    expect(page.get_by_role("heading", name="Free")).to_be_visible()
    expect(page.get_by_role("heading", name="Pro")).to_be_visible()
    check_page(page, "pricing")

    for slug, title in [
        ("quickstart", "Quick start"),
        ("sdk", "SDK and HTTP"),
        ("oauth", "OAuth 2.0"),
        ("policies", "Policy language"),
    ]:
        page.goto(f"/docs/{slug}")
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(title))
        check_page(page, f"docs-{slug}")

    page.goto("/explorer")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("AgentGate")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    check_page(page, "explorer")

    # The marketplace link shows only when its API answers; the page says so either way.
    listed = requests.get(
        f"{page.url.split('/explorer')[0]}/api/v1/marketplace/agents", timeout=30
    ).status_code
    expect(page.get_by_role("link", name="Marketplace")).to_have_count(1 if listed == 200 else 0)
    page.goto("/marketplace")
    expect(page.get_by_role("heading", name="Marketplace")).to_be_visible()
    if listed != 200:
        expect(page.get_by_text("The marketplace is not available on this deployment.")).to_be_visible()
    check_page(page, "marketplace")


def test_a_wrong_password_is_explained_in_words(page: Page) -> None:
    page.goto("/signin")
    page.get_by_label("Email").fill("nobody@example.com")
    page.get_by_label("Password").fill("Wrong-password-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".form-error")).to_contain_text(re.compile("email or password", re.I))
    check_page(page, "signin-error")


def test_a_new_user_signs_up_and_the_wizard_shows_the_first_run_with_its_cost(
    page: Page, portal: str
) -> None:
    email = f"owner-{uuid.uuid4().hex[:8]}@portal.example"
    page.goto("/")
    page.get_by_role("link", name="Sign up", exact=True).click()
    page.get_by_label("Organisation name").fill("Portal Test Org")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    check_page(page, "signup")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", name="Set up your first agent")).to_be_visible()
    page.get_by_label("Agent name").fill("support-triage")
    check_page(page, "wizard-name")
    page.get_by_role("button", name="Create agent and credentials").click()

    expect(page.get_by_text("The client secret is shown only once.")).to_be_visible()
    client_id = page.get_by_role("textbox", name="Client id").input_value()
    client_secret = page.get_by_role("textbox", name="Client secret").input_value()
    assert client_id and client_secret
    next_button = page.get_by_role("button", name="Next: send a first run")
    expect(next_button).to_be_disabled()  # the secret must be acknowledged first
    check_page(page, "wizard-credentials")
    page.get_by_label("I have stored the client secret").check()
    next_button.click()

    snippet = page.get_by_test_id("snippet").inner_text()
    assert client_id in snippet and portal in snippet
    check_page(page, "wizard-snippet")
    # The user pastes the snippet into a shell: run exactly what the page shows.
    sent = subprocess.run(["bash", "-c", snippet], capture_output=True, text=True, timeout=60, check=True)
    assert '"accepted"' in sent.stdout, sent.stdout + sent.stderr

    expect(page.get_by_role("heading", name="Your first run arrived")).to_be_visible(timeout=45_000)
    cost = page.get_by_test_id("first-run-cost").inner_text()
    assert re.fullmatch(r"\$0\.\d+", cost), cost
    assert float(cost[1:]) > 0
    check_page(page, "wizard-arrived")
    JOURNEY.update(client_id=client_id, client_secret=client_secret, email=email)


def test_the_timeline_replays_the_runs_events(page: Page) -> None:
    page.get_by_role("link", name="Open its timeline").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("first-run-")
    expect(page.get_by_test_id("run-cost")).to_have_text(re.compile(r"\$0\.\d+"))
    position = page.get_by_test_id("replay-position")
    current = page.get_by_test_id("current-event")
    expect(position).to_have_text("Event 1 of 4")
    expect(current).to_contain_text("run.started")
    page.get_by_role("button", name="Next ▶").click()
    expect(position).to_have_text("Event 2 of 4")
    expect(current).to_contain_text("tool.call")
    expect(current).to_contain_text("tickets.list")  # the event's payload
    page.get_by_role("button", name="◀ Previous").click()
    expect(position).to_have_text("Event 1 of 4")
    page.get_by_role("button", name="▶ Play").click()
    expect(position).to_have_text("Event 4 of 4", timeout=15_000)
    expect(current).to_contain_text("run.finished")
    expect(page.get_by_role("button", name="▶ Play")).to_be_visible()  # playback stopped at the end
    check_page(page, "run-detail")


def test_the_home_chart_renders_with_data(page: Page) -> None:
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Home").click()
    expect(page.get_by_role("heading", name="Home")).to_be_visible()
    kpis = page.get_by_role("list", name="Key figures") if False else page.locator("dl.kpis")
    expect(kpis).to_contain_text("Runs (7 days)")
    expect(kpis.locator(".kpi").first.locator(".kpi-value")).to_have_text("1")
    chart = page.get_by_test_id("chart-cost-and-runs-by-day")
    expect(chart.locator(".recharts-bar-rectangle path, .recharts-bar-rectangle rect").first).to_be_attached()
    expect(chart.locator("path.recharts-curve.recharts-line-curve")).to_be_attached()
    check_page(page, "home")


def test_a_reload_keeps_the_session_with_only_the_refresh_token_stored(page: Page) -> None:
    page.reload()
    expect(page.get_by_role("heading", name="Home")).to_be_visible()
    assert page.evaluate("Object.keys(sessionStorage)") == ["agentgate.refresh"]
    assert page.evaluate("Object.keys(localStorage)") == []
    assert page.context.cookies() == []


@pytest.mark.parametrize(
    ("link", "heading", "name"),
    [
        ("Agents", "Agents", "agents"),
        ("Runs", "Runs", "runs"),
        ("Costs", "Costs", "costs"),
        ("Analytics", "Analytics", "analytics"),
    ],
)
def test_each_console_page_loads_without_an_error_and_passes_axe(
    page: Page, link: str, heading: str, name: str
) -> None:
    page.get_by_role("navigation", name="Console").get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.locator("[role=status].state-loading")).to_have_count(0)
    expect(page.locator(".state-error")).to_have_count(0)
    if name == "runs":
        expect(page.get_by_role("link", name=re.compile("^first-run-"))).to_be_visible()
        with page.expect_download() as download:
            page.get_by_role("button", name="Export CSV").click()
        csv = Path(download.value.path()).read_text()
        assert "first-run-" in csv and csv.splitlines()[0].count(",") > 3
        page.get_by_label("Status").select_option("error")
        page.get_by_role("button", name="Apply filters").click()
        expect(page.get_by_text("No runs match these filters.")).to_be_visible()
        assert "status=error" in page.url
    if name == "agents":
        expect(page.get_by_role("link", name="support-triage")).to_be_visible()
    check_page(page, name)


def test_an_agent_paused_from_its_page_is_refused_by_the_api(page: Page, portal: str) -> None:
    auth = (JOURNEY["client_id"], JOURNEY["client_secret"])
    token = requests.post(
        f"{portal}/oauth2/token", data={"grant_type": "client_credentials"}, auth=auth, timeout=30
    )
    assert token.status_code == 200, token.text
    access = token.json()["access_token"]

    page.get_by_role("navigation", name="Console").get_by_role("link", name="Agents", exact=True).click()
    page.get_by_role("link", name="support-triage").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("support-triage")
    check_page(page, "agent-detail")
    page.get_by_role("button", name="Pause agent").click()
    dialog = page.get_by_role("dialog", name="Pause support-triage?")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Reason (optional, shown on the agent)").fill("portal test")
    check_page(page, "agent-pause-dialog")
    dialog.get_by_role("button", name="Pause agent").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("paused")
    expect(page.get_by_role("button", name="Resume agent")).to_be_visible()

    run = {
        "run_id": f"after-pause-{uuid.uuid4().hex[:6]}",
        "status": "success",
        "start_time": "2026-01-01T00:00:00Z",
    }
    refused = requests.post(
        f"{portal}/api/v1/ingest/run", json=run, headers={"Authorization": f"Bearer {access}"}, timeout=30
    )
    assert refused.status_code == 403, refused.text
    new_token = requests.post(
        f"{portal}/oauth2/token", data={"grant_type": "client_credentials"}, auth=auth, timeout=30
    )
    assert 400 <= new_token.status_code < 500, new_token.text


def test_the_api_s_field_errors_show_beside_their_fields(page: Page) -> None:
    page.goto("/app/agents/new")
    expect(page.get_by_role("heading", name="Register an agent")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("second-agent")
    page.get_by_label("Tags").fill("ok-tag, not/valid")
    page.get_by_role("button", name="Register agent").click()
    tags_error = page.locator("#tags-error")
    expect(tags_error).to_be_visible()
    expect(page.get_by_label("Tags")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".form-error")).to_contain_text("Check the fields marked below")
    check_page(page, "agent-form-errors")
    page.get_by_label("Tags").fill("ok-tag")
    page.get_by_role("button", name="Register agent").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("second-agent")


def test_an_invited_viewer_sets_a_password_and_is_refused_what_their_role_may_not_do(
    browser, portal: str, local_stack
) -> None:

    owner = requests.post(
        f"{portal}/api/v1/auth/login", json={"email": JOURNEY["email"], "password": PASSWORD}, timeout=30
    ).json()["tokens"]["access_token"]
    viewer_email = f"viewer-{uuid.uuid4().hex[:6]}@portal.example"
    invited = requests.post(
        f"{portal}/api/v1/org-members",
        json={"email": viewer_email, "role": "viewer"},
        headers={"Authorization": f"Bearer {owner}"},
        timeout=30,
    )
    assert invited.status_code == 201, invited.text
    # What Cognito's invitation email would carry: a temporary password.
    set_password(local_stack, viewer_email, "Temporary-pass-1", permanent=False)

    context = browser.new_context(base_url=portal, bypass_csp=True)
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

        viewer.goto("/app/agents/new")
        expect(viewer.get_by_text("Not allowed")).to_be_visible()
        check_page(viewer, "forbidden")
        viewer.goto("/app/agents")
        expect(viewer.get_by_role("link", name="Register an agent")).to_have_count(0)
        viewer.get_by_role("link", name="support-triage").click()
        expect(viewer.get_by_text("Pausing needs the team lead role or higher.")).to_be_visible()
        expect(viewer.get_by_role("button", name=re.compile("Pause agent|Resume agent"))).to_have_count(0)
    finally:
        context.close()


def test_signing_out_forgets_the_session(page: Page) -> None:
    page.goto("/app")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.evaluate("Object.keys(sessionStorage)") == []
    page.goto("/app/runs")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert "next=%2Fapp%2Fruns" in page.url

"""The federation and compliance pages in a real browser against the local stack.

Starting from sign-up, an agent is registered in the portal; a trust policy for GitHub Actions is
refused on the page while it pins no immutable id claim, then refused by the API on the claim's row
(an id that is not a number), then created, listed, opened and deleted after a confirmation naming
it. The compliance report shows the audit chain intact and the agent, and downloads as JSON.
axe-core runs on every page (``check_page``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.e2e.portal.conftest import check_page
from tests.e2e.portal.test_admin_pages import TIMEOUT, open_console_page, sign_up, token_of

pytestmark = pytest.mark.e2e

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"


@pytest.fixture
def fresh(browser: Browser, portal: str) -> Iterator[Page]:
    """A browser tab of its own (no session), failing the test on any uncaught error of the portal."""
    context = browser.new_context(
        base_url=portal,
        bypass_csp=True,  # axe-core is injected as an inline script
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"uncaught errors in the portal: {errors}"


def register_agent(page: Page, name: str, scopes: str) -> str:
    """Register an agent through the portal's form; returns its id (from the detail page's address)."""
    page.goto("/app/agents/new")
    expect(page.get_by_role("heading", name="Register an agent")).to_be_visible()
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Scopes").fill(scopes)
    page.get_by_role("button", name="Register agent").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def policies_of(portal: str, token: str) -> list[dict[str, object]]:
    answer = requests.get(
        f"{portal}/api/v1/oidc/trust-policies",
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def claim_row(page: Page, number: int, name: str, value: str) -> None:
    page.get_by_label(f"Claim {number} name").fill(name)
    page.get_by_label(f"Claim {number} value").fill(value)


def test_a_trust_policy_is_checked_created_listed_and_deleted(fresh: Page, portal: str) -> None:
    page = fresh
    email = sign_up(page, "Federation Org")
    agent_id = register_agent(page, "deploy-bot", "runs:write approvals:read")
    token = token_of(portal, email)

    open_console_page(page, "Trust policies", "Trust policies")
    expect(page.get_by_text("No trust policies yet.")).to_be_visible()
    expect(page.get_by_label("GitHub Actions workflow")).to_contain_text("id-token: write")
    check_page(page, "trust-policies")

    form = page.get_by_role("form", name="Create a trust policy")
    form.get_by_label("Policy name").fill("octo-repo deploys from main")
    expect(form.get_by_label("Issuer")).to_have_value(GITHUB_ISSUER)
    form.get_by_label("Audience").fill("agentgate-deploys")
    # Only a repository's name: GitHub's immutable ids are missing.
    claim_row(page, 1, "repository", "octo-org/octo-repo")
    claim_row(page, 2, "ref", "refs/heads/main")
    form.get_by_label("Agent", exact=True).select_option(label="deploy-bot")
    form.get_by_label("runs:write", exact=True).check()
    form.get_by_role("button", name="Create trust policy").click()
    claims_error = page.locator("#claims-error")
    expect(claims_error).to_contain_text("repository_id, repository_owner_id")
    expect(claims_error).to_contain_text("name alone is not enough")
    assert policies_of(portal, token) == []
    check_page(page, "trust-policies-claims-error")

    # The API's own check, on the row of the claim it names: an id is a number.
    claim_row(page, 1, "repository_id", "octo-repo")
    form.get_by_role("button", name="Create trust policy").click()
    expect(page.locator(".claim-row").first.locator(".field-error")).to_contain_text("an id is a number")
    expect(page.get_by_label("Claim 1 value")).to_have_attribute("aria-invalid", "true")
    expect(claims_error).to_have_count(0)
    assert policies_of(portal, token) == []

    page.get_by_label("Claim 1 value").fill("123456789")
    form.get_by_role("button", name="Create trust policy").click()
    created = page.get_by_role("status").filter(has_text="Trust policy octo-repo deploys from main created")
    expect(created).to_be_visible()
    table = page.get_by_role("table", name="Trust policies")
    row = table.get_by_role("row").filter(has_text="octo-repo deploys from main")
    expect(row).to_contain_text("deploy-bot")
    expect(row).to_contain_text("runs:write")
    expect(row).not_to_contain_text("approvals:read")
    [stored] = policies_of(portal, token)
    assert stored["claims"] == {"repository_id": "123456789", "ref": "refs/heads/main"}
    assert stored["agent_id"] == agent_id and stored["scopes"] == ["runs:write"]
    assert stored["audience"] == "agentgate-deploys" and stored["issuer"] == GITHUB_ISSUER

    page.get_by_role("button", name="Details of octo-repo deploys from main").click()
    detail = page.get_by_role("region", name="Trust policy octo-repo deploys from main")
    expect(detail).to_contain_text(str(stored["id"]))
    expect(detail.get_by_role("table", name="Claims the ID token must carry")).to_contain_text("123456789")
    check_page(page, "trust-policy-detail")

    page.get_by_role("button", name="Delete octo-repo deploys from main").click()
    dialog = page.get_by_role("dialog", name="Delete the trust policy octo-repo deploys from main?")
    expect(dialog).to_be_visible()
    check_page(page, "trust-policy-delete")
    dialog.get_by_role("button", name="Delete trust policy").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text("No trust policies yet.")).to_be_visible()
    assert policies_of(portal, token) == []


def test_the_compliance_report_shows_the_chain_and_the_agent_and_downloads(fresh: Page, portal: str) -> None:
    page = fresh
    email = sign_up(page, "Compliance Org")
    agent_id = register_agent(page, "audited-bot", "runs:write")

    open_console_page(page, "Compliance", "Compliance report")
    expect(page.get_by_test_id("audit-chain")).to_contain_text("The chain is intact")
    agents = page.get_by_role("table", name="Agents")
    expect(agents.get_by_role("rowheader").filter(has_text="audited-bot")).to_contain_text(agent_id)
    controls = page.get_by_role("table", name="Controls")
    expect(controls.locator("tbody tr").first).to_be_visible()
    check_page(page, "compliance")

    api = requests.get(
        f"{portal}/api/v1/compliance/report",
        headers={"Authorization": f"Bearer {token_of(portal, email)}"},
        timeout=TIMEOUT,
    ).json()
    checked = api["audit_chain"]["entries_checked"]
    expect(page.get_by_test_id("audit-chain")).to_contain_text(f"{checked} entries checked")
    expect(controls.locator("tbody tr")).to_have_count(len(api["controls"]))

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download JSON").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"agentgate-compliance-{api['tenant_id']}-")
    with open(download.path(), encoding="utf-8") as handle:
        report = json.load(handle)
    assert report["tenant_id"] == api["tenant_id"]
    assert [a["id"] for a in report["agents"]] == [agent_id]
    assert report["audit_chain"]["valid"] is True

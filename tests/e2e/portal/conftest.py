"""The browser harness: the built portal served by one local stack, driven by Debian's chromium.

Playwright cannot download its browsers here, so it launches ``/usr/bin/chromium`` (``.ci/run``
installs it). Screenshots go to ``portal/test-results/screenshots`` (not committed). ``check_page``
runs axe-core (from the portal's npm dependencies) on the page and fails on serious or critical
violations.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from tests.e2e.conftest import REPO_ROOT, RunningStack

CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO_ROOT / "portal" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO_ROOT / "portal" / "test-results" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BLOCKING_IMPACTS = {"serious", "critical"}
# The machine running CI is shared and small: give pages time, never a fixed sleep.
expect.set_options(timeout=20_000)


@pytest.fixture(scope="session")
def built_portal() -> Path:
    """``make portal`` rebuilds portal/dist only when its sources changed, so this tests the current code."""
    subprocess.run(["make", "-s", "portal"], cwd=REPO_ROOT, check=True)
    dist = REPO_ROOT / "portal" / "dist"
    assert (dist / "index.html").is_file()
    return dist


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail("The browser tests need Debian's chromium: apt-get install -y chromium (.ci/run does).")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def portal(built_portal: Path, local_stack: RunningStack) -> str:
    return local_stack.api_url


@pytest.fixture(scope="module")
def context(browser: Browser, portal: str) -> Iterator[BrowserContext]:
    # bypass_csp: axe-core is injected as an inline script, which the portal's CSP forbids.
    context = browser.new_context(
        base_url=portal,
        bypass_csp=True,
        viewport={"width": 1280, "height": 900},
        permissions=["clipboard-read", "clipboard-write"],
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture(scope="module")
def page(context: BrowserContext) -> Iterator[Page]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert errors == [], f"uncaught errors in the portal: {errors}"


def axe_violations(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate(
        "async () => JSON.stringify(await axe.run(document, {resultTypes: ['violations']}))"
    )
    return [v for v in json.loads(result)["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def check_page(page: Page, name: str) -> None:
    """Screenshot the page, then fail on any serious or critical axe-core violation."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    violations = axe_violations(page)
    summary = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
    ]
    assert summary == [], f"axe-core on {name} ({page.url}):\n" + "\n".join(summary)


def set_password(stack: RunningStack, email: str, password: str, *, permanent: bool) -> None:
    """Give an invited user a password in the local Cognito (moto): what the invitation email would
    carry when ``permanent`` is False, a password they already chose when True."""
    cognito = boto3.client(
        "cognito-idp",
        endpoint_url=stack.aws_url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",  # moto accepts any credentials
    )
    pool = next(
        p["Id"] for p in cognito.list_user_pools(MaxResults=60)["UserPools"] if p["Name"].endswith("-users")
    )
    cognito.admin_set_user_password(UserPoolId=pool, Username=email, Password=password, Permanent=permanent)

"""Browser walks: Debian's headless Chromium, driven by Playwright's sync API,
against the real WSGI application served by pytest-django's live_server.

Time is not frozen here: the server runs in another thread and the browser in
another process, and both must agree with the database about "now"."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import Cast

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
# Each step should answer in well under a second; the bound only keeps a
# broken page from stalling the suite, so it can be wide: on a loaded 2-core
# CI box Chromium, the live server and the database share the cores.
STEP_TIMEOUT_MS = 30_000
expect.set_options(timeout=STEP_TIMEOUT_MS)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.walk_failed = report.failed
    return report


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM} (scripts/test installs it)")
    return CHROMIUM


@pytest.fixture
def people(live_server, transactional_db, django_db_serialized_rollback):
    """The fixed cast, without a frozen clock. The serialized rollback brings
    back the migration-seeded priority matrix that transactional tests' flushes
    remove."""
    return Cast()


class Desk:
    """Opens one browser context per signed-in user, so sessions never mix."""

    def __init__(self, browser: Browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.pages: list[tuple[str, Page]] = []

    def sign_in(self, user, language: str | None = None) -> Page:
        """Log in through the login page; with `language`, then pick it with
        the console's language switch."""
        context = self.browser.new_context(
            base_url=self.base_url, viewport={"width": 1366, "height": 900}
        )
        context.set_default_timeout(STEP_TIMEOUT_MS)
        page = context.new_page()
        page.goto("/login/")
        login = page.get_by_test_id("login-form")
        login.locator("[name=username]").fill(user.username)
        login.locator("[name=password]").fill("pw-" + user.username)
        login.locator("[type=submit]").click()
        expect(page.get_by_test_id("current-user")).to_contain_text(user.display_name)
        if language is not None:
            page.get_by_test_id(f"language-{language}").click()
            expect(page.locator("html")).to_have_attribute("lang", language)
        self.pages.append((user.username, page))
        return page

    def screenshot(self, page: Page, name: str) -> Path:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    def close(self, test_name: str, failed: bool):
        for index, (username, page) in enumerate(self.pages):
            if failed:
                self.screenshot(page, f"{test_name}-{index}-{username}-failure")
            page.context.close()


@pytest.fixture
def desk(request, chromium, people, live_server):
    """A browser for the walk, started after the database is set up and the
    cast is in place. While it runs, Playwright's sync API keeps an asyncio
    loop running in this thread: Django then refuses ORM calls from the test
    and would hand it a different connection anyway, so a walk checks the
    outcome through the pages, as the user does."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
        )
        signed_in = Desk(browser, live_server.url)
        yield signed_in
        signed_in.close(request.node.name, getattr(request.node, "walk_failed", False))
        browser.close()


def fill_form(form, fields: dict) -> None:
    """Fill a form's inputs by name; select elements take option values."""
    for name, value in fields.items():
        field = form.locator(f"[name={name}]")
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)

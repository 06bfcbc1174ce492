"""Fixtures for the end-to-end tests: a real Streamlit server, headless Chromium, one fresh page per test.

The server runs from the working tree with its own empty MAYEN_DATA_DIR and without Streamlit's file
watcher, so edits to the source made while the suite runs cannot reload modules under the tests.
Every test leaves a full-page screenshot of its end state in test-artifacts/browser/.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.browser.serving import CHROMIUM, CHROMIUM_ARGS, ServerError, dashboard_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
# A common projector and laptop resolution: what the meeting room sees.
VIEWPORT = {"width": 1366, "height": 768}
TIMEOUT_MS = 20_000
STARTUP_SECONDS = 60

expect.set_options(timeout=TIMEOUT_MS)


@contextlib.contextmanager
def run_server(
    data_dir: Path, log_path: Path, environment: dict[str, str] | None = None, options: Sequence[str] = ()
) -> Iterator[str]:
    """Start the dashboard on a free port (serving.dashboard_server) and yield its base URL."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        try:
            with dashboard_server(data_dir, log, STARTUP_SECONDS, environment=environment, options=options) as (
                url,
                _seconds,
            ):
                yield url
        except ServerError as error:
            pytest.fail(f"{error}:\n{log_path.read_text()[-3000:]}")


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")


def wait_until_idle(page: Page, timeout: float = TIMEOUT_MS) -> None:
    """Wait until the script run is over and the charts and tables have drawn themselves."""
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning", timeout=timeout)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=timeout)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=timeout)
    page.wait_for_function(
        """() => {
            // Only what is shown: a table in a closed expander draws itself when it is opened.
            const all = (id, inner) => [...document.querySelectorAll(`[data-testid="${id}"]`)]
                .every(e => e.querySelector(inner) || !e.checkVisibility());
            return all("stPlotlyChart", ".main-svg") && all("stDataFrame", "canvas");
        }""",
        timeout=timeout,
    )


def screenshot(page: Page, name: str) -> Path:
    """A screenshot of the whole page: Streamlit scrolls inside its main area, so grow the window to fit it."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{_safe_name(name)}.png"
    size = page.viewport_size or VIEWPORT
    height = page.evaluate(
        """() => Math.max(window.innerHeight, ...[...document.querySelectorAll(
                '[data-testid="stMain"], [data-testid="stSidebarContent"]')].map(e => e.scrollHeight))"""
    )
    page.set_viewport_size({"width": size["width"], "height": min(int(height), 12_000)})
    try:
        page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        page.screenshot(path=path, full_page=True, animations="disabled")
    finally:
        page.set_viewport_size(size)
    return path


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} fehlt: `make system-deps` installiert Debians Chromium.")
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mayen-data")


def warm_up(browser: Browser, url: str) -> None:
    """Open the start page once, as the first session of a fresh server.

    A server's very first session decides how Streamlit treats the `pages/` folder (see
    test_deep_link_as_first_visit_after_server_start); opening the start page first keeps every test
    independent of which test happens to run first.
    """
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(url + "/")
        expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=STARTUP_SECONDS * 1000)
    finally:
        context.close()


@pytest.fixture(scope="session")
def base_url(data_dir: Path, browser: Browser) -> Iterator[str]:
    """The dashboard server shared by the tests that store nothing, already through its first run."""
    with run_server(data_dir, ARTIFACTS / "server.log") as url:
        warm_up(browser, url)
        yield url


@pytest.fixture
def own_server(browser: Browser, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A server of its own, with an empty data directory, for a test that stores a report.

    Stored reports are shared by every session of an installation (the newest is shown), so a test that
    stores one must not share its server with the tests that expect the bundled report.
    """
    log = ARTIFACTS / f"server-{_safe_name(request.node.name)}.log"
    with run_server(tmp_path / "var", log) as url:
        warm_up(browser, url)
        yield url


@pytest.fixture
def page_errors() -> list[str]:
    """Uncaught JavaScript errors of the test's page."""
    return []


def _fresh_page(browser: Browser, url: str, errors: list[str], request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context (fresh Streamlit session); its end state is kept as a screenshot."""
    context = browser.new_context(base_url=url, viewport=VIEWPORT, locale="de-DE", timezone_id="Europe/Berlin")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    try:
        with contextlib.suppress(AssertionError, PlaywrightError):
            wait_until_idle(page, timeout=5_000)
        screenshot(page, f"end-{request.node.name}")
    finally:
        context.close()


@pytest.fixture
def page(browser: Browser, base_url: str, page_errors: list[str], request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh page on the shared server."""
    yield from _fresh_page(browser, base_url, page_errors, request)


@pytest.fixture
def own_page(
    browser: Browser, own_server: str, page_errors: list[str], request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A fresh page on the test's own server."""
    yield from _fresh_page(browser, own_server, page_errors, request)

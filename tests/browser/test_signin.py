"""Signing in as editor on a shared installation, as a browser does it: the cookie, a reload, signing out."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from mayen_dash.access import EDITOR_COOKIE, hash_password
from tests.browser.conftest import ARTIFACTS, VIEWPORT, run_server, screenshot, wait_until_idle

pytestmark = pytest.mark.browser

PASSWORD = "Ratssitzung-2025"


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("shared")
    secrets = folder / "secrets.toml"
    secrets.write_text(f'[mayen]\neditor_password_hash = "{hash_password(PASSWORD)}"\n')
    with run_server(
        folder / "var",
        ARTIFACTS / "server-shared.log",
        environment={"MAYEN_SHARED": "1"},
        options=["--secrets.files", str(secrets)],
    ) as url:
        yield url


@pytest.fixture
def shared_page(browser: Browser, shared_server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=shared_server, viewport=VIEWPORT, locale="de-DE")
    yield context.new_page()
    context.close()


def uploader(page: Page):
    return page.get_by_test_id("stFileUploader")


def test_sign_in_holds_over_a_reload_and_ends_with_sign_out(shared_page: Page):
    page = shared_page
    page.goto("/daten")
    wait_until_idle(page)
    expect(uploader(page)).to_have_count(0)
    link = page.get_by_test_id("stSidebar").get_by_role("link", name="Als Bearbeiter anmelden")
    expect(link).not_to_have_attribute("target", "_blank")  # the sign-in opens in this tab
    link.click()
    expect(page.get_by_role("heading", name="Anmeldung für Bearbeiter")).to_be_visible()
    page.get_by_label("Kennwort für Bearbeiter").fill("falsch")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("alert")).to_have_text("Das Kennwort stimmt nicht.")
    page.get_by_label("Kennwort für Bearbeiter").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url("**/daten")
    wait_until_idle(page)
    expect(uploader(page)).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Als Bearbeiter angemeldet bis")
    (cookie,) = [c for c in page.context.cookies() if c["name"] == EDITOR_COOKIE]
    assert cookie["httpOnly"]
    assert cookie["sameSite"] == "Strict"
    screenshot(page, "signin-editor")
    page.reload()
    wait_until_idle(page)
    expect(uploader(page)).to_be_visible()  # a reload keeps the editor signed in
    page.get_by_test_id("stSidebar").get_by_role("link", name="Abmelden").click()
    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_url("**/daten")
    wait_until_idle(page)
    expect(uploader(page)).to_have_count(0)
    assert not [c for c in page.context.cookies() if c["name"] == EDITOR_COOKIE]


def test_a_cookie_of_ones_own_making_is_a_reader(shared_page: Page, shared_server: str):
    page = shared_page
    page.context.add_cookies([{"name": EDITOR_COOKIE, "value": "4102444800.selbst.gemacht", "url": shared_server}])
    page.goto("/daten")
    wait_until_idle(page)
    expect(uploader(page)).to_have_count(0)
    expect(page.get_by_test_id("stSidebar").get_by_role("link", name="Als Bearbeiter anmelden")).to_be_visible()

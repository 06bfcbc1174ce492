"""Überfällig → „Kalender abonnieren“: the address for the unit in the filter, and a calendar behind it."""

from __future__ import annotations

import urllib.request

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, wait_until_idle

pytestmark = pytest.mark.browser


def subscription(page: Page, path: str) -> list[str]:
    page.goto(path)
    heading = page.get_by_role("heading", name="Kalender abonnieren")
    expect(heading).to_be_visible()
    wait_until_idle(page)
    heading.scroll_into_view_if_needed()
    return page.get_by_test_id("stCode").all_inner_texts()


def events(address: str) -> list:
    with urllib.request.urlopen(address.replace("webcal://", "http://", 1), timeout=30) as response:
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        return Calendar.from_ical(response.read()).walk("VEVENT")


def test_subscription_address_for_the_unit_in_the_filter(page: Page, base_url: str):
    host = base_url.removeprefix("http://")
    (address,) = subscription(page, "/ueberfaellig?einheit=Bereich%202.1")
    assert address == f"webcal://{host}/kalender/Bereich%202.1.ics"
    expect(page.get_by_text("Die Zieldaten von „Bereich 2.1“ als Kalender:")).to_be_visible()
    expect(page.get_by_text("„Aus dem Internet abonnieren“", exact=False)).to_be_visible()
    expect(page.get_by_text("„Im Netzwerk“", exact=False)).to_be_visible()
    screenshot(page, "ueberfaellig-kalender")
    assert len(events(address)) == 8


def test_without_a_unit_the_address_subscribes_to_all(page: Page, base_url: str):
    (address,) = subscription(page, "/ueberfaellig")
    assert address.endswith("/kalender/alle.ics")
    assert len(events(address)) == 28

"""The council report's HTML in Chromium: axe-core finds no WCAG 2.0/2.1 A or AA violation, offline.

axe-core (tests/browser/axe.py, the same check as on the dashboard's pages) runs on the report opened
from a file with every network request recorded, as a council member opens it offline.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from mayen_dash.loader import load_report
from mayen_dash.metrics import filter_measures
from mayen_dash.report import build_report_html
from tests.browser import axe
from tests.browser.conftest import ARTIFACTS, screenshot
from tests.builders import BUNDLED

pytestmark = pytest.mark.browser

@pytest.fixture(scope="module")
def bundled():
    return load_report(BUNDLED)


@pytest.mark.parametrize("kind", ["ganz", "gefiltert"])
def test_council_report_is_axe_clean_and_draws_its_charts_offline(browser: Browser, bundled, tmp_path: Path, kind):
    measures = bundled.measures if kind == "ganz" else filter_measures(bundled.measures, units=["Bereich 2.1"])
    document = build_report_html(
        bundled,
        measures,
        dt.date(2023, 6, 30),
        filter_text="" if kind == "ganz" else "Organisationseinheit: Bereich 2.1",
        previous=measures.iloc[3:],
        previous_date=dt.date(2022, 3, 31),
    )
    path = tmp_path / f"bericht-{kind}.html"
    path.write_text(document, encoding="utf-8")
    context = browser.new_context(viewport={"width": 1000, "height": 900}, locale="de-DE")
    requests: list[str] = []
    context.route("**/*", lambda route: (requests.append(route.request.url), route.continue_()))
    try:
        page = context.new_page()
        page.goto(path.as_uri())
        expect(page.locator("html")).to_have_attribute("lang", "de")
        charts = page.get_by_role("img")
        expect(charts).to_have_count(3)
        for name in ("Umsetzungsstand je Handlungsfeld", "Maßnahmen je Organisationseinheit"):
            expect(page.get_by_role("img", name=name)).to_be_visible()
        found = axe.violations(page)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        screenshot(page, f"bericht-{kind}")
        assert not found, axe.describe(found)
        assert requests == [path.as_uri()], "the report fetches nothing but itself"
    finally:
        context.close()

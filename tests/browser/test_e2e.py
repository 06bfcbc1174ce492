"""The dashboard as a user meets it: a real server, headless Chromium, clicks, typing and real file uploads.

Run with `.venv/bin/pytest -m browser tests/browser` (the default `pytest` run leaves these out).
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import ARTIFACTS, VIEWPORT, run_server, screenshot, wait_until_idle
from tests.builders import FLAT_HEADER, csv_bytes, xlsx_bytes
from tests.documents import sample_text

pytestmark = pytest.mark.browser

BUNDLED_TITLE = "Digitalisierungsstrategie der Stadt Mayen"
PAGES = [
    ("", "Übersicht", BUNDLED_TITLE),
    ("status", "Status", "Status"),
    ("ueberfaellig", "Überfällig", "Überfällig"),
    ("verlauf", "Verlauf", "Verlauf"),
    ("vergleich", "Vergleich", "Vergleich"),
    ("scorecard", "Balanced Scorecard", "Balanced Scorecard"),
    ("massnahmen", "Maßnahmen", "Maßnahmen"),
    ("daten", "Daten", "Daten"),
]
IMG = '<img src=x onerror="window.__pwned=1">'
LINK = "[klick](javascript:window.__pwned=2)"
AREA = '<a href="javascript:window.__pwned=3">Feld</a>'
SCRIPT = "<script>window.__pwned=4</script>"


# ---------------------------------------------------------------------------------------------- helpers


def open_page(page: Page, path: str = "") -> None:
    """Open a page by its URL and wait until its script has run and its figures are drawn."""
    page.goto("/" + path)
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    wait_until_idle(page)


def navigate(page: Page, name: str) -> None:
    """Switch pages the way a user does: a click in the sidebar navigation."""
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True)
    link.click()
    expect(link).to_have_attribute("aria-current", "page")


def main_caption(page: Page) -> Locator:
    """The line under a page's title that names the data and the filter (the sidebar has captions too)."""
    return page.get_by_test_id("stMain").get_by_test_id("stCaptionContainer").first


def metric(page: Page, label: str) -> Locator:
    """The value of the metric card with exactly this label."""
    return metric_card(page, label).get_by_test_id("stMetricValue")


def metric_card(page: Page, label: str) -> Locator:
    """The whole metric card with exactly this label: value, and the share where the page shows one."""
    labelled = page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    return page.get_by_test_id("stMetric").filter(has=labelled)


def expect_done(page: Page, count: str, share: str) -> None:
    """The "erledigt" card shows the count and its share, whether as "56 · 55,4 %" or as 56 with a delta."""
    expect(metric(page, "erledigt")).to_have_text(re.compile(rf"^{re.escape(count)}\b"))
    expect(metric_card(page, "erledigt")).to_contain_text(share)


def sidebar_combobox(page: Page, label: str) -> Locator:
    return page.get_by_test_id("stSidebar").get_by_role("combobox", name=label, exact=True)


def sidebar_multiselect(page: Page, label: str) -> Locator:
    """The whole multiselect widget in the sidebar, with the chips of its chosen values."""
    combobox = page.get_by_role("combobox", name=label, exact=True)  # `has` looks inside each widget
    return page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").filter(has=combobox)


def choose_in_multiselect(page: Page, label: str, value: str) -> None:
    """Click the widget, type, Enter: as a user picks a value."""
    wait_until_idle(page)
    sidebar_combobox(page, label).click()
    page.keyboard.type(value)
    expect(page.get_by_role("option", name=value, exact=True)).to_be_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")


def scroll_into_view(page: Page, target: Locator) -> None:
    """Scroll first, then click, as a user does: the widgets ignore a press that a scroll interrupts."""
    target.scroll_into_view_if_needed()
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def choose_in_selectbox(page: Page, label: str, option: str) -> None:
    wait_until_idle(page)  # a click during a rerun can land on a widget that is about to be replaced
    box = page.get_by_test_id("stMain").get_by_role("combobox", name=label, exact=True)
    scroll_into_view(page, box)
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(box).to_have_value(option)


def table_count(page: Page, count: str) -> Locator:
    """The sentence above the Maßnahmen table that says how many rows it holds."""
    return page.get_by_test_id("stMain").get_by_text(re.compile(rf"^{re.escape(count)} Maßnahmen\."))


def upload(page: Page, path: Path) -> None:
    """Hand a file to the real <input type=file> of the uploader on the Daten page."""
    page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(path)


def select_row(page: Page, index: int) -> None:
    """Tick the row's checkbox in the table (a canvas: the click goes to the row marker's position)."""
    grid = page.get_by_test_id("stDataFrame")
    scroll_into_view(page, grid)
    # Streamlit's grid draws the header and every row 2.1875 rem high (its defaultRowHeight).
    row_height = page.evaluate(
        "() => Math.round(2.1875 * parseFloat(getComputedStyle(document.documentElement).fontSize))"
    )
    grid.click(position={"x": row_height / 2, "y": 1 + row_height * (index + 1.5)})


def grid_cells(page: Page) -> Locator:
    """The table's cells in the grid's accessible DOM mirror of its canvas."""
    return page.get_by_test_id("stDataFrame").locator("[data-testid^='glide-cell-']")


def expect_shown(page: Page, file_name: str, count: str) -> None:
    """The Daten page's first line: which stored report is shown, and how many measures it has."""
    line = page.get_by_test_id("stMain").get_by_text(re.compile(r"^Angezeigt wird"))
    expect(line).to_contain_text(file_name)
    expect(line).to_contain_text(re.compile(rf"\b{count} Maßnahme{'' if count == '1' else 'n'}[;.]"))


def assert_no_error(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    english_error = re.compile(r"\berror\b", re.IGNORECASE)
    expect(page.get_by_test_id("stApp")).not_to_contain_text(english_error, use_inner_text=True)


def measures_rows(*rows: list[str]) -> list[list[str]]:
    return [FLAT_HEADER, *rows]


# ------------------------------------------------------------------------------------------------ pages


@pytest.mark.parametrize(("path", "nav", "heading"), PAGES, ids=[path or "uebersicht" for path, _, _ in PAGES])
def test_every_page_shows_its_title_and_no_error(page: Page, page_errors: list[str], path, nav, heading):
    open_page(page, path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_test_id("stSidebarNav").get_by_role("link", name=nav, exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    assert_no_error(page)
    assert page_errors == []
    screenshot(page, f"page-{path or 'uebersicht'}")


def test_start_page_shows_the_key_figures_of_the_bundled_report(page: Page):
    open_page(page)
    expect(metric(page, "Maßnahmen")).to_have_text("101")
    expect_done(page, "56", "55,4 %")
    expect(metric(page, "in Bearbeitung")).to_have_text("19")
    expect(metric(page, "laufend")).to_have_text("3")
    expect(metric(page, "offen")).to_have_text("23")
    expect(main_caption(page)).to_contain_text("Stand 31.08.2022")
    expect(page.get_by_test_id("stMain")).to_contain_text(
        "56 erledigt + 19 in Bearbeitung + 3 laufend + 23 offen = 101 Maßnahmen"
    )


# ---------------------------------------------------------------------------------------------- filters


def test_link_with_unit_opens_the_filtered_view(page: Page):
    open_page(page, "?einheit=Bereich%202.1")
    expect(metric(page, "Maßnahmen")).to_have_text("9")
    expect(sidebar_multiselect(page, "Organisationseinheit")).to_contain_text("Bereich 2.1")
    expect(main_caption(page)).to_contain_text("Organisationseinheit: Bereich 2.1")


def test_choosing_a_unit_in_the_sidebar_filters_and_goes_into_the_link(page: Page):
    open_page(page)
    expect(metric(page, "Maßnahmen")).to_have_text("101")

    choose_in_multiselect(page, "Organisationseinheit", "Bereich 2.1")

    expect(metric(page, "Maßnahmen")).to_have_text("9")
    expect(page).to_have_url(re.compile(r"[?&]einheit=Bereich(\+|%20)2\.1(&|$)"))
    # The link reproduces the view: reloading it is a new session that reads the filter from the URL.
    page.reload()
    expect(metric(page, "Maßnahmen")).to_have_text("9")
    wait_until_idle(page)


def test_enter_takes_the_typed_unit_only_not_every_unit_containing_it(page: Page):
    open_page(page)

    choose_in_multiselect(page, "Organisationseinheit", "Fachbereich")  # also the start of Fachbereich 1 and 3

    expect(page).to_have_url(re.compile(r"[?&]einheit=Fachbereich$"))
    expect(metric(page, "Maßnahmen")).to_have_text("1")
    wait_until_idle(page)


def test_filter_persists_when_switching_pages(page: Page):
    open_page(page)
    choose_in_multiselect(page, "Organisationseinheit", "Bereich 2.1")
    expect(metric(page, "Maßnahmen")).to_have_text("9")

    navigate(page, "Maßnahmen")
    expect(table_count(page, "9")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/massnahmen\?(.*&)?einheit=Bereich(\+|%20)2\.1(&|$)"))
    expect(sidebar_multiselect(page, "Organisationseinheit")).to_contain_text("Bereich 2.1")

    navigate(page, "Status")
    expect(main_caption(page)).to_contain_text("Organisationseinheit: Bereich 2.1")

    navigate(page, "Übersicht")
    expect(metric(page, "Maßnahmen")).to_have_text("9")
    wait_until_idle(page)


# ----------------------------------------------------------------------------------------------- upload


def test_upload_of_a_valid_file_is_checked_and_then_used_everywhere(own_page: Page, tmp_path: Path):
    page = own_page
    path = tmp_path / "status_e2e.xlsx"
    path.write_bytes(
        xlsx_bytes(
            {
                "Maßnahmen": measures_rows(
                    ["T-01", "Innovatives Wissen", "Bürger", "Test eins", "erledigt", "Bereich 2.1", "2022", ""],
                    ["T-02", "Innovatives Wissen", "Bürger", "Test zwei", "offen", "Bereich 3.1", "2024", ""],
                    ["T-03", "Innovatives Wissen", "Unternehmen", "Test drei", "in Arbeit", "", "2023", ""],
                ),
                "Bericht": [["Titel", "Statusbericht E2E"], ["Stichtag", "30.06.2023"]],
            }
        )
    )
    open_page(page, "daten")
    expect_shown(page, "status_2022-08.xlsx", "101")

    upload(page, path)

    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(
        "Die Datei ist lesbar: 3 Maßnahmen (1 erledigt · 1 in Bearbeitung · 0 laufend · 1 offen). status_e2e.xlsx, "
        "Excel-Arbeitsmappe (.xlsx)."
    )
    expect(page.get_by_test_id("stMain")).to_contain_text("Stichtag 30.06.2023, gefunden: Stichtag im Blatt „Bericht“.")
    expect_shown(page, "status_2022-08.xlsx", "101")  # checked, not yet in use
    wait_until_idle(page)
    screenshot(page, "upload-checked")
    page.get_by_role("button", name="Diese Daten verwenden").click()
    expect_shown(page, "status_e2e.xlsx", "3")

    navigate(page, "Übersicht")
    expect(page.get_by_role("heading", level=1)).to_have_text("Statusbericht E2E")
    expect(metric(page, "Maßnahmen")).to_have_text("3")
    expect_done(page, "1", "33,3 %")
    wait_until_idle(page)


@pytest.mark.parametrize(
    "content",
    [random.Random(7).randbytes(4096), b"PK\x03\x04" + random.Random(8).randbytes(4096)],
    ids=["random-bytes", "broken-zip"],
)
def test_upload_of_a_broken_file_is_refused_and_the_data_stays(page: Page, tmp_path: Path, content: bytes):
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    open_page(page, "daten")

    upload(page, path)

    refusal = page.get_by_test_id("stAlertContentError")
    expect(refusal).to_contain_text("„x.xlsx“ wurde nicht übernommen.")
    expect(refusal).to_contain_text("Die bisherigen Daten bleiben unverändert.")
    expect(page.get_by_role("button", name="Diese Daten verwenden")).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect_shown(page, "status_2022-08.xlsx", "101")
    wait_until_idle(page)
    screenshot(page, "upload-refused-" + ("broken-zip" if content.startswith(b"PK") else "random-bytes"))

    navigate(page, "Übersicht")
    expect(page.get_by_role("heading", level=1)).to_have_text(BUNDLED_TITLE)
    expect(metric(page, "Maßnahmen")).to_have_text("101")
    wait_until_idle(page)


def test_several_files_at_once_a_missing_stichtag_a_foreign_type_and_pasted_text(own_page: Page, tmp_path: Path):
    page = own_page
    dated, undated, picture = tmp_path / "status_2023-06.csv", tmp_path / "liste.csv", tmp_path / "foto.png"
    dated.write_bytes(csv_bytes([["Maßnahme", "Status"], ["Hundeanmeldung", "erledigt"], ["Wohngeld", "offen"]]))
    undated.write_bytes(csv_bytes([["Maßnahme", "Status"], ["Eheurkunde", "erledigt"]]))
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    open_page(page, "daten")

    page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files([dated, undated, picture])

    main = page.get_by_test_id("stMain")
    checked = page.get_by_test_id("stAlertContentSuccess")
    expect(checked.filter(has_text="status_2023-06.csv")).to_contain_text("Die Datei ist lesbar: 2 Maßnahmen")
    expect(checked.filter(has_text="liste.csv")).to_contain_text("Die Datei ist lesbar: 1 Maßnahme ")
    expect(main).to_contain_text("Stichtag 30.06.2023, gefunden: Dateiname „status_2023-06.csv“.")
    refusal = page.get_by_test_id("stAlertContentError")
    expect(refusal).to_contain_text("„foto.png“ wurde nicht übernommen. Die Datei ist ein Bild (PNG).")
    expect(refusal).to_contain_text("Gelesen werden Excel-Arbeitsmappen")
    expect(page.get_by_test_id("stAlertContentWarning").filter(has_text="nennt keinen Stichtag")).to_have_count(1)
    asked = main.get_by_role("group", name="Stichtag dieses Stands", exact=True)
    day = asked.get_by_role("spinbutton").first
    expect(day).not_to_have_text(re.compile(r"\d"))  # never preset, not even to today
    expect(main).to_contain_text("2 Dateien werden nicht gespeichert (siehe oben).")
    wait_until_idle(page)
    screenshot(page, "upload-several-asking-stichtag")

    day.click()
    page.keyboard.type("31122022")
    page.get_by_role("heading", name="Neue Berichte hochladen").click()  # the date is sent when the field is left
    save = page.get_by_role("button", name="Diese 2 Stände speichern")
    expect(save).to_be_visible()
    wait_until_idle(page)
    save.click()
    notice = checked.filter(has_text="Gespeichert:")
    expect(notice).to_contain_text(
        "Gespeichert: 2 Stände (Stand 30.06.2023 – status_2023-06.csv; Stand 31.12.2022 – liste.csv). "
        "Angezeigt wird Stand 30.06.2023 – status_2023-06.csv."
    )
    expect_shown(page, "status_2023-06.csv", "2")
    wait_until_idle(page)
    screenshot(page, "upload-several-stored")

    main.get_by_text("Berichtstext einfügen (aus dem PDF kopiert)").click()
    pasted = main.get_by_role("textbox", name="Text des Statusberichts")
    pasted.fill(sample_text().decode("utf-8"))
    pasted.press("Control+Enter")
    expect(checked.filter(has_text="eingefügter_Bericht.txt")).to_contain_text(
        "Die Datei ist lesbar: 3 Maßnahmen (1 erledigt · 1 in Bearbeitung · 0 laufend · 1 offen)."
    )
    expect(main).to_contain_text("Stichtag 30.09.2024, gefunden: Titelzeile „Stand: 30.09.2024“")
    expect(main).to_contain_text("1 Datei wird nicht gespeichert (siehe oben).")  # the picture; not the stored two
    wait_until_idle(page)
    screenshot(page, "upload-pasted-text")
    page.get_by_role("button", name="Diese Daten verwenden").click()
    expect(checked.first).to_contain_text("Gespeichert und angezeigt: Stand 30.09.2024 – eingefügter_Bericht.txt.")
    expect_shown(page, "eingefügter_Bericht.txt", "3")
    assert_no_error_but_the_refusal(page)


def assert_no_error_but_the_refusal(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(1)


def test_unknown_columns_are_mapped_by_hand(own_page: Page, browser: Browser, own_server: str, tmp_path: Path):
    page = own_page
    path = tmp_path / "liste_2024-09.xlsx"
    path.write_bytes(
        xlsx_bytes(
            {
                "Tabelle1": [
                    ["Name", "Live", "Stelle"],
                    ["Online-Antrag Hundesteuer", "ja", "Bereich 2.1"],
                    ["Online-Antrag Sperrmüll", "nein", "Bereich 3.1"],
                    ["Online-Antrag Gewerbe", "ja", "Bereich 3.1"],
                ]
            }
        )
    )
    open_page(page, "daten")
    upload(page, path)
    expect(page.get_by_test_id("stAlertContentWarning").first).to_contain_text("„Name“, „Live“, „Stelle“")
    expect(page.get_by_role("heading", name="Spalten zuordnen")).to_be_visible()
    expect(page.get_by_test_id("stAlertContentWarning").last).to_contain_text("„Maßnahme“ und „Status“ wählen")

    choose_in_selectbox(page, "Maßnahme (Pflicht)", "Name")
    choose_in_selectbox(page, "Status (Pflicht)", "Live")
    choose_in_selectbox(page, "Verantwortlichkeit", "Stelle")
    expect(page.get_by_role("heading", name="Werte der Spalte „Live“ zuordnen")).to_be_visible()
    choose_in_selectbox(page, "„ja“ bedeutet", "erledigt")
    choose_in_selectbox(page, "„nein“ bedeutet", "offen")

    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(
        "Die Datei ist lesbar: 3 Maßnahmen (2 erledigt · 0 in Bearbeitung · 0 laufend · 1 offen)."
    )
    page.get_by_role("button", name="Diese Daten verwenden").click()
    expect_shown(page, "liste_2024-09.xlsx", "3")

    navigate(page, "Übersicht")
    expect(metric(page, "Maßnahmen")).to_have_text("3")
    expect_done(page, "2", "66,7 %")
    wait_until_idle(page)

    # The mapping is remembered: another user uploading a file of the same shape finds it preset.
    context = browser.new_context(base_url=own_server, viewport=VIEWPORT, locale="de-DE")
    try:
        other = context.new_page()
        open_page(other, "daten")
        upload(other, path)
        expect(other.get_by_test_id("stAlertContentInfo").first).to_contain_text("eine Zuordnung gespeichert")
        expect(other.get_by_test_id("stAlertContentSuccess")).to_contain_text("Die Datei ist lesbar: 3 Maßnahmen")
        wait_until_idle(other)
        screenshot(other, "mapping-remembered")
    finally:
        context.close()


# ------------------------------------------------------------------------------------------------ hostile


def test_hostile_cell_content_is_shown_as_text_and_never_runs(own_page: Page, tmp_path: Path):
    page = own_page
    path = tmp_path / "feindlich_2023-06.csv"
    path.write_bytes(
        csv_bytes(
            measures_rows(
                ["H-01", AREA, "Bürger", IMG, "offen", "Bereich 2.1", "2023", SCRIPT],
                ["H-02", "Innovatives Wissen", "Bürger", LINK, "erledigt", "Bereich 3.1", "2022", LINK],
            ),
            encoding="utf-8",
            bom=True,
        )
    )
    open_page(page, "daten")
    upload(page, path)
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("Die Datei ist lesbar: 2 Maßnahmen")
    page.get_by_role("button", name="Diese Daten verwenden").click()
    expect_shown(page, "feindlich_2023-06.csv", "2")

    navigate(page, "Maßnahmen")
    expect(table_count(page, "2")).to_be_visible()
    wait_until_idle(page)
    cells = grid_cells(page)
    expect(cells.filter(has_text=IMG)).to_have_count(1)
    expect(cells.filter(has_text=LINK)).to_have_count(1)

    select_row(page, 0)
    # The detail card below the table: the title as its heading, each field as plain text.
    card_title = page.get_by_test_id("stMain").get_by_role("heading", level=3)
    expect(card_title).to_have_text(IMG)
    expect(page.get_by_test_id("stMain").get_by_test_id("stText").filter(has_text=SCRIPT)).to_have_count(1)
    wait_until_idle(page)
    screenshot(page, "hostile-detail-img")

    select_row(page, 1)
    expect(card_title).to_have_text(LINK)
    wait_until_idle(page)
    assert page.evaluate("window.__pwned") is None
    expect(page.locator("a[href^='javascript:' i]")).to_have_count(0)
    expect(page.locator("img[src='x']")).to_have_count(0)
    screenshot(page, "hostile-detail-link")

    navigate(page, "Übersicht")
    expect(metric(page, "Maßnahmen")).to_have_text("2")
    wait_until_idle(page)
    # The field of action with markup is drawn as text in the chart.
    expect(page.get_by_test_id("stPlotlyChart").first).to_contain_text("<a")
    search = page.get_by_test_id("stSidebar").get_by_role("textbox", name="Suche")
    search.fill(IMG)
    search.press("Enter")
    expect(metric(page, "Maßnahmen")).to_have_text("1")
    expect(main_caption(page)).to_contain_text(f"Suche: „{IMG}“")
    wait_until_idle(page)
    assert page.evaluate("window.__pwned") is None
    expect(page.locator("a[href^='javascript:' i]")).to_have_count(0)
    expect(page.locator("img[src='x']")).to_have_count(0)


def test_hostile_report_texts_and_scorecard_are_shown_as_text(own_page: Page, tmp_path: Path):
    page = own_page
    """The Bericht and Scorecard sheets are drawn as Markdown: markup in them must stay literal text."""
    path = tmp_path / "bericht.xlsx"
    progress = f"- {LINK}\n- {IMG}\n{SCRIPT}"
    path.write_bytes(
        xlsx_bytes(
            {
                "Maßnahmen": measures_rows(["B-01", "Innovatives Wissen", "Bürger", "Harmlos", "offen", "", "", ""]),
                "Bericht": [
                    ["Feld", "Inhalt"],
                    ["Titel", IMG],
                    ["Untertitel", LINK],
                    ["Stichtag", "30.06.2023"],
                    ["Fortschritte", progress],
                ],
                "Scorecard": [
                    ["Perspektive", "Leitfrage", "Strategische Ziele", "Maßnahmen", "Messgröße", "Einheit", "Zielwert"],
                    [IMG, LINK, SCRIPT, f"{LINK}\n{IMG}", AREA, "%", "50"],
                ],
            }
        )
    )
    open_page(page, "daten")
    upload(page, path)
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("Die Datei ist lesbar: 1 Maßnahme ")
    page.get_by_role("button", name="Diese Daten verwenden").click()
    expect_shown(page, "bericht.xlsx", "1")

    navigate(page, "Übersicht")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", level=1)).to_have_text(IMG)
    expect(main.get_by_role("heading", level=3).first).to_have_text(LINK)
    tab_panel = main.get_by_role("tabpanel")
    expect(tab_panel).to_contain_text(LINK)
    expect(tab_panel).to_contain_text(IMG)
    expect(tab_panel).to_contain_text(SCRIPT)
    wait_until_idle(page)
    assert page.evaluate("window.__pwned") is None
    expect(page.locator("a[href^='javascript:' i]")).to_have_count(0)
    expect(page.locator("img[src='x']")).to_have_count(0)
    screenshot(page, "hostile-report-uebersicht")

    navigate(page, "Balanced Scorecard")
    expect(main.get_by_role("heading", level=1)).to_have_text("Balanced Scorecard")
    expect(main).to_contain_text(IMG)
    expect(main).to_contain_text(LINK)
    expect(main).to_contain_text(SCRIPT)
    wait_until_idle(page)
    assert page.evaluate("window.__pwned") is None
    expect(page.locator("a[href^='javascript:' i]")).to_have_count(0)
    expect(page.locator("img[src='x']")).to_have_count(0)


# ------------------------------------------------------------------------------------------ server start


def test_deep_link_as_first_visit_after_server_start(browser: Browser, tmp_path: Path):
    """A link from the last meeting is often the first thing opened after the server restarted.

    Streamlit runs a file of pages/ on its own in its legacy multipage mode until some session has called
    st.navigation (streamlit#9446); this was an English crash page with a sidebar of file names until
    ui.current_view learnt to leave that mode.
    """
    with run_server(tmp_path / "var", ARTIFACTS / "server-deep-link.log") as url:
        context = browser.new_context(base_url=url, viewport=VIEWPORT, locale="de-DE")
        try:
            page = context.new_page()
            page.goto("/massnahmen?einheit=Bereich%202.1")
            expect(table_count(page, "9").or_(page.get_by_test_id("stException")).first).to_be_visible()
            wait_until_idle(page)
            screenshot(page, "deep-link-first-visit")
            expect(page.get_by_role("heading", level=1)).to_have_text("Maßnahmen")
            expect(table_count(page, "9")).to_be_visible()
            nav = page.get_by_test_id("stSidebarNav")
            expect(nav.get_by_role("link", name="Maßnahmen", exact=True)).to_have_attribute("aria-current", "page")
            expect(nav.get_by_role("link", name="app", exact=True)).to_have_count(0)
            assert_no_error(page)
        finally:
            context.close()


# ---------------------------------------------------------------------------------------------- meeting mode


def edit_cell(page: Page, column: int, text: str) -> None:
    """Edit a cell of the first row the keyboard way: select the row, walk right, Enter, replace, Enter."""
    grid = page.get_by_test_id("stDataFrame")
    scroll_into_view(page, grid)
    row_height = page.evaluate(
        "() => Math.round(2.1875 * parseFloat(getComputedStyle(document.documentElement).fontSize))"
    )
    # The grid is a canvas that reads the keyboard between frames: give it a moment per key.
    grid.click(position={"x": 20, "y": row_height * 1.5})
    page.wait_for_timeout(500)
    for _ in range(column):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(150)
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")


def test_meeting_mode_edit_save_and_compare(own_page: Page):
    page = own_page
    open_page(page, "massnahmen?q=Evaluierung%20Homepage")
    page.get_by_text("Bearbeiten (Besprechungsmodus)").click()
    expect(page.get_by_text("Noch keine Änderungen.")).to_be_visible()
    wait_until_idle(page)

    edit_cell(page, 4, "Q4/2024")  # ID, Maßnahme, Status, Verantwortlichkeit, Zieldatum

    expect(page.get_by_role("heading", name="1 geändertes Feld, noch nicht gespeichert")).to_be_visible()
    # The pending change is listed, old → new, before anything is saved.
    pending = page.get_by_test_id("stDataFrame").last
    scroll_into_view(page, pending)
    cells = pending.locator("[data-testid^='glide-cell-']")
    for text in ("EG-B-01", "Evaluierung Homepage", "Zieldatum", "2023", "Q4/2024"):
        expect(cells.filter(has_text=re.compile(rf"^{re.escape(text)}$")).first).to_be_attached()
    # No Stichtag is preselected: saving waits for one.
    save = page.get_by_role("button", name="Als neuen Stand speichern")
    expect(save).to_be_disabled()
    stichtag = page.get_by_test_id("stDateInput").filter(has_text="Stichtag des neuen Stands")
    day = stichtag.locator("[role=spinbutton][data-type=day]")
    expect(day).not_to_have_attribute("aria-valuenow", re.compile(r"."))
    screenshot(page, "meeting-mode-pending")
    scroll_into_view(page, day)
    day.click()
    page.keyboard.type("31122022")  # day, month and year: each field hands on to the next when it is full
    page.keyboard.press("Escape")  # closes the calendar
    page.get_by_role("heading", level=1).click()  # the field takes its value when the focus leaves it
    expect(save).to_be_enabled()
    save.click()
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("Gespeichert und angezeigt: Stand 31.12.2022")
    wait_until_idle(page)

    navigate(page, "Vergleich")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vergleich")
    expect(metric(page, "Zieldatum geändert")).to_have_text("1")
    expect(metric(page, "Status geändert")).to_have_text("0")
    expect(page.get_by_test_id("stMain")).to_contain_text("Evaluierung Homepage (2023 → Q4/2024)")
    wait_until_idle(page)
    screenshot(page, "meeting-mode-compare")

    # The council report is built on click; only then is the previous Stand read for its changes section.
    navigate(page, "Übersicht")
    with page.expect_download() as download:
        page.get_by_role("button", name="Statusbericht (HTML)").click()
    html = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Änderungen seit dem letzten Bericht" in html
    assert "Verglichen mit dem Stand 31.08.2022." in html
    assert "status_2022-08.xlsx" not in html  # each Stand is named by its date, not by its file
    assert download.value.suggested_filename == "Statusbericht_2022-12-31_Suche-Evaluierung-Homepage.html"
    assert "Q4/2024" in html

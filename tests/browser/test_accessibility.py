"""BITV 2.0 / WCAG 2.1 AA in the browser: every page of the navigation on a desk, a projector and a phone.

Each page is loaded once per window size and then checked for everything at once: `<html lang="de">`,
axe-core (tests/browser/axe.py), no English word in the text or in the attributes a screen reader or a
tooltip reads out, every chart named and described, and what the phone and the projector cut. Menus,
pickers and toolbars that only exist while open are opened and checked the same way; so are the Daten
page with a file being checked, the lost connection and the page of an uncaught error. One keyboard
path goes from the skip link to a filter to a chart's table. Screenshots land in /tmp/axe-shots.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser import axe
from tests.browser.conftest import ARTIFACTS, TIMEOUT_MS, run_server, wait_until_idle
from tests.browser.serving import ROOT, dashboard_server
from tests.builders import BUNDLED, FLAT_HEADER, csv_bytes

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/axe-shots")
VIEWPORTS = {
    "arbeitsplatz": {"width": 1400, "height": 900},
    "beamer": {"width": 1280, "height": 720},
    "telefon": {"width": 390, "height": 844},
}
SKIP_LINK = "Zum Hauptinhalt springen"
TABLE_EXPANDER = "Daten als Tabelle"


def navigation() -> list[tuple[str, str]]:
    """(URL path, title) of every st.Page in app.py's navigation, so that a new page is checked as well.

    Read from the source rather than listed here: the default page is "", a page without url_path
    has its file name as path, as Streamlit derives it.
    """
    pages = []
    for node in ast.walk(ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Page":
            options = {k.arg: ast.literal_eval(k.value) for k in node.keywords if isinstance(k.value, ast.Constant)}
            if options.get("default"):
                path = ""
            elif "url_path" in options:
                path = options["url_path"]
            else:
                path = Path(ast.literal_eval(node.args[0])).stem
            pages.append((path, options["title"]))
    return pages


PAGES = navigation()

# Words of Streamlit's, plotly's and react-aria's English user interface, and of English in general, that
# are no German words as well (so no "Filter", "Status", "Format", "Link", "Start", "Box", "per", "in").
_ENGLISH_WORDS = """
    about above add all and any are arrow arrows as ascending autoscale autosize available axes back
    be below by calendar can cancel cannot choose clear click clipboard close collapse column columns compare
    connect connected connecting connection copied copy csv-file date day days delete descending deselect
    developer dismiss double-click download drag drop edit empty enter entered error escape exit expand false
    file files for found from fullscreen group has heading help here hide hour hover if image is it
    items key keys lasso length less limit loading main menu minute month months more navigate next no none nan nat
    not of off on only open option options or out page pages pan paste pin please plot previous print press range
    rerun reset result results row rows running save search second seconds select selected selection settings
    show sidebar skip sort statistics still stop suggestions sum table the this time to today toggle
    true try type
    unpin upload uploading use value values view wait week with year years yes you your yourscript zoom
    january february march may june july october december
    monday tuesday wednesday thursday friday saturday sunday
"""
ENGLISH = frozenset(_ENGLISH_WORDS.split())
# German texts of the dashboard or of the bundled report that contain one of those words.
ALLOWED = ("E-Government", "OZG-Booster", "Smart Parking", "Open Data")

COLLECT = """() => {
  // Text a user sees or a screen reader reads, and the attributes they hear or see as tooltips.
  const attributes = ["aria-label", "title", "placeholder", "alt", "data-title", "aria-roledescription",
                      "aria-description", "aria-valuetext"];
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.nodeType === Node.TEXT_NODE) {
      const parent = node.parentElement;
      // Material icons are ligatures drawn as a picture ("keyboard_arrow_right"), hidden from screen readers.
      if (!parent || parent.closest("script, style, noscript, [aria-hidden='true'][translate='no']")) continue;
      const text = node.data.trim();
      if (text) found.push(["Text", text]);
    } else {
      for (const name of attributes) {
        const value = (node.getAttribute(name) || "").trim();
        if (value) found.push([name, value]);
      }
    }
  }
  found.push(["title", document.title]);
  return found;
}"""


def english_words(text: str) -> list[str]:
    """The words of `text` that are English UI words; compounds such as "OZG-Booster" count as one word."""
    for allowed in ALLOWED:
        text = text.replace(allowed, " ")
    return [word for word in re.findall(r"[A-Za-zÄÖÜäöüß]+(?:-[A-Za-zÄÖÜäöüß]+)*", text) if word.lower() in ENGLISH]


def english_on_page(page: Page) -> list[str]:
    """Every English text in the document as "where: text", once each."""
    found = []
    for where, text in page.evaluate(COLLECT):
        words = english_words(text)
        line = f"{where}: {text[:160]!r} ({', '.join(words)})"
        if words and line not in found:
            found.append(line)
    return found


def shot(page: Page, name: str) -> Path:
    """A screenshot of the window as the user sees it, for looking at (the end-of-test one is full page)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
    page.screenshot(path=path, animations="disabled")
    return path


def open_page(page: Page, path: str) -> None:
    page.goto("/" + path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    wait_until_idle(page)


@pytest.fixture
def new_page(browser: Browser, base_url: str) -> Iterator:
    """Pages of their own window size on the shared server (a fresh Streamlit session each)."""
    contexts = []

    def make(viewport: dict[str, int]) -> Page:
        context = browser.new_context(base_url=base_url, viewport=viewport, locale="de-DE", timezone_id="Europe/Berlin")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


# ------------------------------------------------------------------------------------------- the checks


CHARTS = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].map((chart) => {
  const title = chart.querySelector(".gtitle");
  const described = (chart.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean)
      .map((id) => document.getElementById(id)).filter(Boolean).map((e) => e.textContent.trim()).join(" ");
  return {role: chart.getAttribute("role"), label: chart.getAttribute("aria-label"),
          title: title ? title.textContent.trim() : null, description: described};
})"""


def chart_problems(page: Page) -> list[str]:
    """Every chart a figure named by its visible title and described by the summary sentence below it."""
    problems = []
    for number, chart in enumerate(page.evaluate(CHARTS), start=1):
        name = f"Diagramm {number} ({chart['title']!r})"
        if chart["role"] not in ("figure", "group"):
            problems.append(f"{name}: role={chart['role']!r}, erwartet figure")
        if not chart["title"] or chart["label"] != chart["title"]:
            problems.append(f"{name}: aria-label={chart['label']!r} ist nicht der Titel des Diagramms")
        if len(chart["description"]) < 20:
            problems.append(f"{name}: keine Zusammenfassung über aria-describedby ({chart['description']!r})")
    return problems


CUT = """() => {
  // Text cut off with an ellipsis or hidden by overflow: wider inside than the box that shows it.
  const cut = [];
  const check = (element, what) => {
    for (const e of [element, ...element.querySelectorAll("*")]) {
      const style = getComputedStyle(e);
      const hides = style.overflow !== "visible" || style.textOverflow === "ellipsis";
      if (hides && e.scrollWidth > e.clientWidth + 1) { cut.push(`${what}: ${element.textContent.trim()}`); break; }
    }
  };
  document.querySelectorAll('[data-testid="stMetricLabel"]').forEach((e) => check(e, "Kartenbeschriftung"));
  // A closed sidebar shows nothing that could be cut.
  document.querySelectorAll('[data-testid="stSidebar"]:not([data-collapsed="true"]) [data-testid="stSelectbox"]')
      .forEach((box) => {
    const input = box.querySelector("input");
    if (input && input.scrollWidth > input.clientWidth + 1) cut.push(`Auswahlfeld: ${input.value}`);
    check(box.querySelector('[data-testid="stWidgetLabel"]') || box, "Feldbeschriftung");
  });
  document.querySelectorAll("h1, h2, h3").forEach((e) => {
    if (e.scrollWidth > e.clientWidth + 1) cut.push(`Überschrift ragt hinaus: ${e.textContent.trim()}`);
  });
  return cut;
}"""

CHART_LAYOUT = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].flatMap((chart) => {
  // Title and axis labels inside the chart's own box, and the toolbar, when shown, off the title.
  const problems = [];
  const box = chart.getBoundingClientRect();
  const title = chart.querySelector(".gtitle");
  const name = title ? title.textContent.trim() : "ohne Titel";
  const inside = (r) => r.left >= box.left - 1 && r.right <= box.right + 1 && r.top >= box.top - 1;
  const labels = [...chart.querySelectorAll(".xtick text, .ytick text, .g-xtitle text, .g-ytitle text")];
  for (const e of title ? [title, ...labels] : labels) {
    const r = e.getBoundingClientRect();
    if (r.width && !inside(r)) problems.push(`${name}: „${e.textContent.trim()}“ abgeschnitten`);
  }
  const bar = chart.querySelector(".modebar");
  if (title && bar && getComputedStyle(bar).opacity !== "0" && bar.checkVisibility()) {
    const t = title.getBoundingClientRect(), b = bar.getBoundingClientRect();
    const overlaps = t.left < b.right && b.left < t.right && t.top < b.bottom && b.top < t.bottom;
    if (overlaps) problems.push(`${name}: Werkzeugleiste verdeckt den Titel`);
  }
  return problems;
})"""


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize(("path", "title"), PAGES, ids=[path or "uebersicht" for path, _ in PAGES])
def test_page_is_german_and_accessible(new_page, viewport: str, path: str, title: str):
    page = new_page(VIEWPORTS[viewport])
    open_page(page, path)
    sidebar = page.get_by_test_id("stSidebar")
    if viewport == "telefon" and sidebar.get_attribute("data-collapsed") == "false":
        # As a user on a phone: close the sidebar that lies over the page (its start is checked on its own).
        sidebar.get_by_role("button", name="Seitenleiste einklappen").click()
        expect(sidebar).to_have_attribute("data-collapsed", "true")
    chart = page.get_by_test_id("stPlotlyChart").first
    if chart.count():
        chart.hover()  # shows the chart's toolbar, whose titles are checked like every other text
    problems = {
        "lang": [] if page.locator("html").get_attribute("lang") == "de" else ["<html> ohne lang=de"],
        "axe": [axe.describe(found)] if (found := axe.violations(page)) else [],
        "Englisch": english_on_page(page),
        "Diagramme": chart_problems(page),
        "abgeschnitten": page.evaluate(CUT),
        "Diagrammlayout": page.evaluate(CHART_LAYOUT),
    }
    shot(page, f"{viewport}-{path or 'uebersicht'}")
    failed = {check: found for check, found in problems.items() if found}
    assert not failed, "\n".join(f"[{check}]\n  " + "\n  ".join(found) for check, found in failed.items())


def test_phone_starts_with_the_content_and_titles_hyphenate(new_page):
    page = new_page(VIEWPORTS["telefon"])
    open_page(page, "")
    expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_be_in_viewport()
    assert heading.evaluate("e => getComputedStyle(e).hyphens") == "auto"
    split = heading.evaluate(
        """(h) => {
          // Words drawn on more than one line: without hyphenation patterns a break is mid-word, unmarked.
          const split = [];
          const walker = document.createTreeWalker(h, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const match of node.data.matchAll(/\\S+/g)) {
              const range = document.createRange();
              range.setStart(node, match.index);
              range.setEnd(node, match.index + match[0].length);
              const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
              if (lines.size > 1) split.push(match[0]);
            }
          }
          return split;
        }"""
    )
    assert not split, f"über zwei Zeilen gebrochen: {split}"
    shot(page, "telefon-start")
    page.get_by_role("button", name="Seitenleiste ausklappen").click()
    expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "false")
    page.wait_for_function("() => document.getAnimations().every((a) => a.playState !== 'running')")
    assert not page.evaluate(CUT)
    shot(page, "telefon-seitenleiste")


# --------------------------------------------------------------------- menus, pickers, toolbars when open


def expect_german_and_clean(page: Page, state: str) -> None:
    """The page with something opened: no English, no axe violation inside the opened part's layer."""
    shot(page, f"offen-{state}")
    english = english_on_page(page)
    assert not english, f"{state}: " + "\n".join(english)
    found = axe.violations(page)
    assert not found, f"{state}: " + axe.describe(found)


def column_menu_button(page: Page, grid: Locator) -> tuple[float, float]:
    """Where the header's menu button of the table's second column is: the grid draws it on a canvas.

    The cursor turns to col-resize over a column's edge; the button sits just left of the edge.
    """
    box = grid.bounding_box()
    y = box["y"] + 15
    edges = []
    for x in range(int(box["x"]) + 5, int(box["x"] + min(box["width"], 900)), 3):
        page.mouse.move(x, y)
        cursor = grid.locator("canvas").first.evaluate("canvas => getComputedStyle(canvas).cursor")
        if cursor.startswith("col") and (not edges or x - edges[-1] > 10):
            edges.append(x)
        if len(edges) >= 3:
            break
    assert len(edges) >= 3, f"column edges not found: {edges}"
    page.mouse.move((edges[1] + edges[2]) / 2, y)
    return edges[2] - 16, y


def test_table_toolbar_search_and_menus_are_german(new_page):
    page = new_page(VIEWPORTS["arbeitsplatz"])
    open_page(page, "massnahmen")
    grid = page.get_by_test_id("stDataFrame").first
    grid.hover()
    toolbar = page.get_by_test_id("stElementToolbar").first
    expect(toolbar.get_by_role("button", name="Suchen")).to_be_visible()
    # The grid's own CSV download is off (it wrote formulas as they stood); the page's exporter offers it.
    expect(toolbar.get_by_role("button", name="Als CSV herunterladen")).to_have_count(0)
    expect_german_and_clean(page, "tabelle-werkzeugleiste")

    toolbar.get_by_role("button", name="Suchen").click()
    expect(page.get_by_text("Suchbegriff eingeben")).to_be_visible()
    page.keyboard.type("Gewerbe")
    expect_german_and_clean(page, "tabelle-suche")
    page.keyboard.press("Escape")

    grid.hover()
    toolbar.get_by_role("button", name="Spalten ein-/ausblenden").click()
    expect(page.get_by_text("Alle auswählen", exact=True)).to_be_visible()
    expect_german_and_clean(page, "tabelle-spalten")
    page.keyboard.press("Escape")

    x, y = column_menu_button(page, grid)
    page.mouse.click(x, y)
    expect(page.get_by_text("Aufsteigend sortieren")).to_be_visible()
    expect_german_and_clean(page, "tabelle-spaltenmenue")
    page.get_by_role("menuitem", name="Statistik").hover()
    expect(page.get_by_text("Standardabweichung").or_(page.get_by_text("Verschiedene")).first).to_be_visible()
    expect_german_and_clean(page, "tabelle-statistik")


def test_multiselect_date_picker_and_chart_toolbar_are_german(new_page):
    page = new_page(VIEWPORTS["arbeitsplatz"])
    open_page(page, "")
    page.get_by_test_id("stSidebar").get_by_role("combobox", name="Organisationseinheit", exact=True).click()
    page.keyboard.type("xyzq")
    expect(page.get_by_text("Keine Treffer")).to_be_visible()
    expect_german_and_clean(page, "auswahl-keine-treffer")
    open_page(page, "")  # the open list makes the rest of the page inert to a screen reader

    page.get_by_role("button", name="Datum wählen").click()
    expect(page.get_by_role("dialog").or_(page.get_by_role("application")).first).to_be_visible()
    expect_german_and_clean(page, "datum")
    page.keyboard.press("Escape")

    chart = page.get_by_test_id("stPlotlyChart").first
    chart.hover()
    expect(chart.locator(".modebar")).to_be_attached()
    expect_german_and_clean(page, "diagramm-werkzeugleiste")
    assert not page.evaluate(CHART_LAYOUT)


# ------------------------------------------------------------------------------------------- keyboard


def focused(page: Page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement;
            const styles = [];
            for (let box = e, k = 0; box && k < 4; box = box.parentElement, k++) {
              const s = getComputedStyle(box);
              styles.push({outline: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth), shadow: s.boxShadow});
            }
            return {text: (e.getAttribute("aria-label") || e.textContent || "").trim().slice(0, 80), tag: e.tagName,
                    inSidebar: !!e.closest('[data-testid="stSidebar"]'), styles}; }"""
    )


def tab_until(page: Page, wanted, limit: int = 120) -> dict:
    """Press Tab until the focused element is the wanted one; fails after `limit` presses."""
    visited: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = focused(page)
        if wanted(element):
            return element
        if element["text"] not in visited:
            visited.append(element["text"])
    pytest.fail(f"nach {limit}× Tab nicht erreicht; besucht: {visited}")


def ring(element: dict) -> bool:
    """A focus ring on the focused element or on the field box around it (an outline or a box shadow)."""
    return any((s["outline"] != "none" and s["outlineWidth"] >= 1) or s["shadow"] != "none" for s in element["styles"])


def test_keyboard_from_skip_link_to_a_filter_to_a_charts_table(new_page):
    page = new_page(VIEWPORTS["arbeitsplatz"])
    open_page(page, "")
    page.locator("body").focus()
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["text"] == SKIP_LINK, skip
    assert ring(skip), f"Fokus nicht sichtbar: {skip}"

    unit = tab_until(page, lambda e: e["inSidebar"] and e["text"] == "Organisationseinheit")
    assert ring(unit), f"Fokus nicht sichtbar: {unit}"
    page.keyboard.type("Bereich 2.1")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").first).to_contain_text("Bereich 2.1")
    wait_until_idle(page)

    expander = tab_until(page, lambda e: e["text"].endswith(TABLE_EXPANDER) and not e["inSidebar"], limit=200)
    assert ring(expander), f"Fokus nicht sichtbar: {expander}"
    shot(page, "tastatur-aufklapper-fokus")
    page.keyboard.press("Enter")
    details = page.get_by_test_id("stExpander").filter(has_text=TABLE_EXPANDER).first
    expect(details.get_by_test_id("stDataFrame").or_(details.get_by_test_id("stTable")).first).to_be_visible()
    shot(page, "tastatur-tabelle-offen")


# ------------------------------------------------------------------------------ Daten, connection, errors


@pytest.mark.parametrize("kind", ["gespeichert", "neu-ohne-stichtag"])
def test_daten_page_with_a_file_being_checked(new_page, tmp_path: Path, kind: str):
    """The bundled report (already stored) and a new CSV that names no Stichtag: the page asks for it."""
    page = new_page(VIEWPORTS["arbeitsplatz"])
    open_page(page, "daten")
    path = BUNDLED
    if kind != "gespeichert":
        path = tmp_path / "massnahmen.csv"
        path.write_bytes(
            csv_bytes([FLAT_HEADER, ["T-01", "Innovatives Wissen", "Bürger", "Test", "offen", "", "", ""]])
        )
    page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(path)
    expect(page.get_by_test_id("stFileUploader")).to_contain_text(path.name)
    expect(page.get_by_test_id("stAlert").first).to_be_visible()
    if kind != "gespeichert":
        expect(page.get_by_role("group", name="Stichtag dieses Stands")).to_be_visible()
    wait_until_idle(page)
    expect_german_and_clean(page, f"daten-datei-{kind}")


def test_lost_connection_is_told_in_german(browser: Browser, tmp_path: Path):
    context = browser.new_context(viewport=VIEWPORTS["arbeitsplatz"], locale="de-DE")
    try:
        page = context.new_page()
        with run_server(tmp_path / "var", ARTIFACTS / "server-verbindung.log") as url:
            page.goto(url + "/")
            expect(page.get_by_role("heading", level=1)).to_be_visible(timeout=60_000)
            wait_until_idle(page)
        dialog = page.get_by_role("dialog")
        expect(dialog).to_be_visible(timeout=60_000)
        expect(dialog).to_contain_text("Verbindung")
        expect_german_and_clean(page, "verbindung-verloren")
    finally:
        context.close()


def test_uncaught_error_shows_the_german_page(browser: Browser, tmp_path: Path):
    """web/errors.py under the real ASGI entry, with a script that fails (tests/browser/failing_server.py)."""
    log_path = ARTIFACTS / "server-fehler.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=VIEWPORTS["arbeitsplatz"], locale="de-DE")
    script = "tests/browser/failing_server.py"
    try:
        with (
            log_path.open("w") as log,
            dashboard_server(tmp_path, log, script=script, environment={"PYTHONPATH": str(ROOT)}) as (url, _seconds),
        ):
            page = context.new_page()
            page.goto(url + "/")
            alert = page.get_by_test_id("stAlert")
            expect(alert).to_contain_text("Bei der Anzeige dieser Seite ist ein Fehler aufgetreten")
            reference = re.search(r"[0-9A-F]{4}-[0-9A-F]{4}", alert.inner_text()).group(0)
            expect(page.get_by_test_id("stException")).to_have_count(0)
            expect(page.get_by_text("Traceback")).to_have_count(0)
            expect(page.locator("html")).to_have_attribute("lang", "de")
            expect_german_and_clean(page, "fehlerseite")
        assert f"Fehlernummer {reference}" in log_path.read_text()
    finally:
        context.close()
